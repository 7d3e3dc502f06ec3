// Public surface of the kvcache component (see DESIGN.md). Populated by the issue that builds it.
export {};
