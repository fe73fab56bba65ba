"""Routes, one module per feature. Each calls one service and renders one template."""
