"""The configuration classes of every package, nested in the one ``Settings`` object of
:mod:`memcubedb.settings`. They sit at the bottom layer beside it and import nothing from the
packages they configure, so reading settings never imports a server, a model or a driver."""
