"""Test support: harnesses the tests import and the long benchmark runs in ``bench/`` reuse
(an API on a loopback port, the permission-fuzzing state machine and its reference model, the
kill -9 crash harness, the concurrent-load driver). Nothing here is a test itself."""
