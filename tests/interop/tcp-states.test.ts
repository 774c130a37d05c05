import { connect, createServer, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { describePort, parseProcNetTcp, portTraffic, socketsOnPort } from "./tcp-states.ts";

const SAMPLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0FA0 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 305 1 0 100 0 0 10 0
   1: 0100007F:C822 0100007F:0FA0 01 00000010:00000020 00:00000000 00000000     0        0 0 3 0
`;

describe("tcp-states", () => {
  it("parses ports, state names and queue sizes from /proc/net/tcp text", () => {
    expect(parseProcNetTcp(SAMPLE)).toEqual([
      { local: 4000, remote: 0, state: "LISTEN", txQueue: 0, rxQueue: 0 },
      { local: 51234, remote: 4000, state: "ESTABLISHED", txQueue: 16, rxQueue: 32 },
    ]);
  });

  it.runIf(process.platform === "linux")(
    "sees a listener and both ends of a connection",
    async () => {
      const server = createServer();
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const port = (server.address() as { port: number }).port;
      const accepted = new Promise<Socket>((r) => server.once("connection", (s) => r(s)));
      const c = connect(port, "127.0.0.1");
      const inbound = await accepted;
      const states = socketsOnPort(port).map((s) => s.state);
      expect(states).toContain("LISTEN");
      expect(states.filter((s) => s === "ESTABLISHED")).toHaveLength(2);
      expect(describePort(port)).toMatch(/^LISTEN :\d+; ESTABLISHED/);
      // Byte counters come from `ss` where it is installed (iproute2); empty otherwise.
      c.write("abc");
      await new Promise((r) => setTimeout(r, 100));
      const traffic = portTraffic(port);
      if (traffic !== "") expect(traffic).toMatch(/sent 3 received 0|sent 0 received 3/);
      c.destroy();
      inbound.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  );
});
