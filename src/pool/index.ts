// Public surface of the pool component (see DESIGN.md). Populated by the issue that builds it.
export {};
