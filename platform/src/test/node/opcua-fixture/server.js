// A small OPC UA server built with node-opcua: the connector's independent counterpart in the tests.
// Usage: node server.js PORT  -> prints "ready <endpoint url>" once it listens.
// Variables under Objects/Line1 (namespace 1): Temperature (Double, a slow sine), Running (Boolean),
// Count (Int32, +1 every 100 ms) and Setpoint (Double, writable).
"use strict";
const { OPCUAServer, Variant, DataType, StatusCodes } = require("node-opcua");

async function main() {
  const port = parseInt(process.argv[2], 10);
  const server = new OPCUAServer({
    port,
    resourcePath: "/UA/Fixture",
    buildInfo: { productName: "insa-opcua-fixture", buildNumber: "1" },
    allowAnonymous: true,
    hostname: "127.0.0.1"
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  const ns = addressSpace.getOwnNamespace();
  const line = ns.addFolder(addressSpace.rootFolder.objects, { browseName: "Line1", nodeId: "s=Line1" });
  let tick = 0;
  let setpoint = 42.0;
  setInterval(() => tick++, 100);
  ns.addVariable({
    componentOf: line, minimumSamplingInterval: 100, browseName: "Temperature", nodeId: "s=Line1.Temperature", dataType: "Double",
    value: { get: () => new Variant({ dataType: DataType.Double, value: 20 + 5 * Math.sin(tick / 10) }) }
  });
  ns.addVariable({
    componentOf: line, minimumSamplingInterval: 100, browseName: "Running", nodeId: "s=Line1.Running", dataType: "Boolean",
    value: { get: () => new Variant({ dataType: DataType.Boolean, value: tick % 50 < 40 }) }
  });
  ns.addVariable({
    componentOf: line, minimumSamplingInterval: 100, browseName: "Count", nodeId: "s=Line1.Count", dataType: "Int32",
    value: { get: () => new Variant({ dataType: DataType.Int32, value: tick }) }
  });
  ns.addVariable({
    componentOf: line, minimumSamplingInterval: 100, browseName: "Setpoint", nodeId: "s=Line1.Setpoint", dataType: "Double",
    accessLevel: "CurrentRead | CurrentWrite", userAccessLevel: "CurrentRead | CurrentWrite",
    value: {
      get: () => new Variant({ dataType: DataType.Double, value: setpoint }),
      set: (variant) => { setpoint = variant.value; return StatusCodes.Good; }
    }
  });
  await server.start();
  console.log("ready " + server.getEndpointUrl());
  const stop = async () => { await server.shutdown(100); process.exit(0); };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((e) => { console.error(e); process.exit(1); });
