// Public surface of the supervisor component (see DESIGN.md). Populated by the issue that builds it.
export {};
