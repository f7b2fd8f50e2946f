package io.insa.iiot.boundarycheck.sensor;

import io.insa.iiot.boundarycheck.plant.Line;

public record Sensor(String name, Line line) {}
