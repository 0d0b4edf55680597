"""Numeric operations on arrays: filters, mask layers, composing, optical-flow warps, contact sheets."""
