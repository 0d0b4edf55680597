"""Model files and what runs them: ONNX Runtime sessions and graph rewrites, LiteRT interpreters, bounded caches."""
