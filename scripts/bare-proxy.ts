// The floor of any Bun gateway, for scripts/gateway-ceiling.ts: Bun.serve answering each POST by
// forwarding its JSON body to one upstream with fetch and returning the answer's bytes. No validation,
// routing, metrics, retries, deadlines or streaming relay. Run: bun scripts/bare-proxy.ts PORT UPSTREAM_URL
const [portArg, upstream] = process.argv.slice(2);
if (portArg === undefined || upstream === undefined) {
  process.stderr.write("usage: bun scripts/bare-proxy.ts PORT UPSTREAM_URL\n");
  process.exit(2);
}
Bun.serve({
  hostname: "127.0.0.1",
  port: Number(portArg),
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (request.method !== "POST") return new Response("ok");
    const answer = await fetch(`${upstream}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(await request.json()),
    });
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  },
});
