package io.insa.iiot.loadgen;

import java.util.Arrays;

/**
 * Benchmarks of the INSA IIoT Platform, one command each (see docs/benchmarks.md):
 *
 * <ul>
 *   <li>{@code http}: provisions devices through the API, then drives HTTP telemetry at a target rate
 *       from concurrent clients and reports acknowledged points/s and latency percentiles;
 *   <li>{@code baseline}: bulk-loads the same rows straight into the telemetry table with COPY, the
 *       ceiling the platform is compared with;
 *   <li>{@code rls}: the cost of row-level security on the batch writer's INSERT;
 *   <li>{@code rules}: HTTP ingest with and without 1,000 enabled rules in the tenant, then the time from
 *       the commit of a point crossing a threshold to the receipt of its alert's webhook;
 *   <li>{@code outage}: HTTP and MQTT devices sending while PostgreSQL is stopped or killed and started
 *       again: what they were told, and whether every acknowledged message is stored;
 *   <li>{@code console}: the web console's pages, signed in as a tenant admin of a tenant of 10,000
 *       devices: the time of each page, p50 to max;
 *   <li>{@code query}: a tenant of 10,000 devices and 100 million points loaded with COPY, then the
 *       REST queries of SPEC 10 (latest values, raw and bucketed ranges, device list, stats, audit):
 *       p50, p99 and max beside the targets, with the plan of any query that misses.
 * </ul>
 */
public final class LoadGen {

    private LoadGen() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || Arrays.asList(args).contains("--help")) {
            System.out.println("""
                    usage: loadgen <mode> [--option value ...]
                      http      --url http://127.0.0.1:8080 --devices 10000 --clients 200 --rate 0 (msgs/s, 0 = as fast as acknowledged)
                                --points 3 --duration 60 --warmup 10 --anomaly false (true: detection on for every key) --admin-email admin@localhost --admin-password-file data/admin-password.txt
                      mqtt      --devices 10000 --rate 5000 (msgs/s) --qos 1 --points 3 --duration 60 --warmup 20
                                --stages 2000,5000,8000 (instead of --rate: each rate in turn on the same connections)
                                --mqtt-host 127.0.0.1 --mqtt-port 1883 --server-pid <platform pid, for memory per connection>
                                --management-url http://127.0.0.1:8081 (Actuator, for the heap in use)
                                several nodes: --mqtt-port 1883,1983 --server-pid P1,P2 --management-url URL1,URL2 (devices spread over the ports in turn)
                                --soak-minutes 60 (instead of stages: --rate for that long, a line a minute: sent, acked, PUBACK p99, errors,
                                per node RSS, heap after GC from --gc-logs FILE1,FILE2 (-Xlog:gc:file=FILE), ingest queue depth)
                      coap      --devices 1000 --rate 2000 --points 3 --duration 60 --warmup 20 --coap-host 127.0.0.1 --coap-port 5683
                      amqp      --devices 1000 --rate 2000 --points 3 --duration 60 --warmup 20 --amqp-host 127.0.0.1 --amqp-port 5672
                      rules     --devices 1000 --clients 100 --points 3 --duration 30 --warmup 5 (ingest, unthrottled, without then with rules)
                                --rules 1000 (enabled, never firing) --probes 200 --probe-devices 4 (raise/clear latency, one at a time)
                                --webhook-port 0 (receiver on 127.0.0.1, 0 = any) --management-url http://127.0.0.1:8081 (rule meters)
                                (platform started with INSA_NOTIFY_WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true)
                      outage    --http-devices 50 --mqtt-devices 50 --rate 5 (msg/s per device) --before 10 --outage 20 --after 30
                                --stop-command "su postgres -c 'pg_ctlcluster 15 main stop -m fast'" (or kill -9 of every postgres process)
                                --start-command "su postgres -c 'pg_ctlcluster 15 main start'" --answer-bound 20
                      console   --devices 10000 --requests 300 (timed per page) --warmup 50 (per page, not timed)
                                (platform started with --insa.invitations.expose-token=true, for the tenant admin's invitation)
                      query     --devices 10000 --points 100000000 --keys 10 --days 30 --dense-devices 10 (every minute; the rest share the other points)
                                --streams 2 (parallel COPYs) --audit-entries 100000 --samples 200 --warmup 50 (per query) --settle 300 (s of pause after the load) --explain misses|all --keep false
                                (platform started with --insa.invitations.expose-token=true, for the tenant admin's invitation)
                      baseline  --rows 3000000 --batch 100000 --devices 10000 --points 3   (PostgreSQL COPY into the telemetry table)
                      rls       --rows 1000000 --batch 2000                                 (writer INSERT with and without row-level security)
                    database options (query, baseline, rls): --db-url, --owner-user, --owner-password, --app-user, --app-password
                      (default: the INSA_DB_* environment that ./iiot env prints)""");
            return;
        }
        Options options = Options.parse(Arrays.copyOfRange(args, 1, args.length));
        System.out.println(Machine.describe(options));
        switch (args[0]) {
            case "http" -> new HttpIngestLoad(options).run();
            case "mqtt" -> new MqttLoad(options).run();
            case "coap" -> new CoapLoad(options).run();
            case "amqp" -> new AmqpLoad(options).run();
            case "baseline" -> new CopyBaseline(options).run();
            case "rls" -> new RlsOverhead(options).run();
            case "outage" -> new OutageLoad(options).run();
            case "rules" -> new RulesLoad(options).run();
            case "console" -> new ConsolePagesLoad(options).run();
            case "query" -> new QueryLatency(options).run();
            default ->
                throw new IllegalArgumentException("unknown mode " + args[0]
                        + " (http, mqtt, coap, amqp, outage, rules, console, query, baseline, rls)");
        }
    }
}
