package io.insa.iiot.ingest;

/** A message that is not a valid telemetry or attributes payload; the detail says why. */
class MalformedPayload extends Exception {

    MalformedPayload(String detail) {
        super(detail, null, false, false);
    }
}
