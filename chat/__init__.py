"""Memory-augmented generation (MemOS §MemScheduler at inference): chat completions whose context is
assembled from the caller's activation (KV templates), plaintext (hybrid search) and parametric
(LoRA adapter) memory. :class:`~memcubedb.chat.service.ChatService` is the entry point."""
