package dev.mlapp.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class QuantitiesTest {

    @Test
    void cpuQuantitiesInMillicores() {
        assertEquals(250, Quantities.millicores("250m"), 1e-9);
        assertEquals(1000, Quantities.millicores("1"), 1e-9);
        assertEquals(1500, Quantities.millicores("1.5"), 1e-9);
        assertEquals(253.816279, Quantities.millicores("253816279n"), 1e-9);
        assertEquals(0.5, Quantities.millicores("500u"), 1e-9);
    }

    @Test
    void memoryQuantitiesInBytes() {
        assertEquals(512L * 1024 * 1024, Quantities.bytes("512Mi"));
        assertEquals(187236L * 1024, Quantities.bytes("187236Ki"));
        assertEquals(1L << 30, Quantities.bytes("1Gi"));
        assertEquals(1_000_000_000L, Quantities.bytes("1G"));
        assertEquals(129_000_000L, Quantities.bytes("129e6"));
        assertEquals(128974848L, Quantities.bytes("128974848"));
    }

    @Test
    void prometheusSumsEveryLabelSetOfOneMetricOnly() {
        String text = """
                # HELP http_requests_total HTTP requests answered.
                # TYPE http_requests_total counter
                http_requests_total{method="GET",route="/whoami",status="200"} 12.0
                http_requests_total{method="GET",route="/metrics",status="200"} 3.0
                http_requests_totally_different 99
                http_requests_in_flight 2.0
                """;
        assertEquals(15, PrometheusText.sum(text, "http_requests_total"), 0);
        assertEquals(2, PrometheusText.sum(text, "http_requests_in_flight"), 0);
        assertEquals(-1, PrometheusText.sum(text, "absent_metric"), 0);
    }
}
