package io.insa.iiot.boundarycheck.report;

import io.insa.iiot.boundarycheck.plant.Line;
import io.insa.iiot.boundarycheck.sensor.Sensor;
import java.util.List;

/** Reaches into the sensor module, which its package-info does not allow (no cycle). */
public record LineReport(Line line, List<Sensor> sensors) {}
