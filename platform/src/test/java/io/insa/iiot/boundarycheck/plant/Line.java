package io.insa.iiot.boundarycheck.plant;

public record Line(String name) {}
