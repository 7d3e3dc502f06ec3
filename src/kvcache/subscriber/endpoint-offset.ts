// vLLM's ZmqEventPublisher.offset_endpoint_port (vllm-interfaces.md §1.7): data-parallel rank k publishes
// on the configured PUB and replay ports + k.

/** The endpoint rank `dataParallelRank` publishes on, derived from the rank-0 endpoint as vLLM does. */
export function offsetEndpointPort(endpoint: string, dataParallelRank: number): string {
  if (!Number.isSafeInteger(dataParallelRank) || dataParallelRank < 0)
    throw new RangeError(`dataParallelRank must be a non-negative integer, got ${dataParallelRank}`);
  if (dataParallelRank === 0 || endpoint === "") return endpoint;
  if (endpoint.includes("inproc")) return `${endpoint}_dp${dataParallelRank}`;
  if (endpoint.includes("tcp")) {
    const colon = endpoint.lastIndexOf(":");
    const port = Number(endpoint.slice(colon + 1));
    if (colon < 0 || !Number.isInteger(port)) throw new RangeError(`no port in ${endpoint}`);
    return `${endpoint.slice(0, colon + 1)}${port + dataParallelRank}`;
  }
  throw new RangeError(`cannot offset ${endpoint} for data-parallel rank ${dataParallelRank}`);
}

/** Index engine id of one DP rank: the endpoint id itself for a single-rank engine. */
export function kvEngineId(endpointId: string, dataParallelRank: number, dataParallelSize: number): string {
  return dataParallelSize <= 1 ? endpointId : `${endpointId}#dp${dataParallelRank}`;
}
