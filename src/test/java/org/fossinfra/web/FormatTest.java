package org.fossinfra.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The dashboard's numbers keep a steady shape as they change, so that nothing jumps. */
class FormatTest {
    @Test
    void percentagesAlwaysHaveOneDecimal() {
        assertThat(Format.pct(7)).isEqualTo("7.0");
        assertThat(Format.pct(99.96)).isEqualTo("100.0");
        assertThat(Format.pct(Double.NaN)).isEqualTo("–");
        assertThat(Format.pctOf(1, 3)).isEqualTo("33.3");
        assertThat(Format.pctOf(1, 0)).isEqualTo("0.0");
    }

    @Test
    void sizesHaveThreeSignificantDigitsAndABinaryUnit() {
        assertThat(Format.bytes(0)).isEqualTo("0 B");
        assertThat(Format.bytes(812)).isEqualTo("812 B");
        assertThat(Format.bytes(1536)).isEqualTo("1.50 KiB");
        assertThat(Format.bytes(10.0 * 1024 * 1024 * 1024)).isEqualTo("10.0 GiB");
        assertThat(Format.bytesPerSec(2_300_000)).isEqualTo("2.19 MiB/s");
        assertThat(Format.num("2.19 MiB")).isEqualTo("2.19");
        assertThat(Format.unit("2.19 MiB")).isEqualTo("MiB");
    }

    @Test
    void ratesMillisecondsAndCounts() {
        assertThat(Format.rate(0)).isEqualTo("0");
        assertThat(Format.rate(0.05)).isEqualTo("0.05");
        assertThat(Format.rate(8.44)).isEqualTo("8.4");
        assertThat(Format.rate(5154.4)).isEqualTo("5,154");
        assertThat(Format.ms(0.000412)).isEqualTo("0.41");
        assertThat(Format.ms(0.0123)).isEqualTo("12.3");
        assertThat(Format.ms(Double.NaN)).isEqualTo("–");
        assertThat(Format.count(1234567)).isEqualTo("1,234,567");
        assertThat(Format.load(0.5)).isEqualTo("0.50");
        assertThat(Format.plural(1, "loop")).isEqualTo("1 loop");
        assertThat(Format.plural(2, "loop")).isEqualTo("2 loops");
    }

    @Test
    void durationsUseTheirTwoLargestUnits() {
        assertThat(Format.duration(42_000)).isEqualTo("42s");
        assertThat(Format.duration(192_000)).isEqualTo("3m 12s");
        assertThat(Format.duration(7_500_000)).isEqualTo("2h 05m");
        assertThat(Format.duration(356_400_000)).isEqualTo("4d 03h");
        assertThat(Format.ago(0, 5)).isEqualTo("never");
    }

    @Test
    void statusesAndEventTypesGetTheirColours() {
        assertThat(Format.badge("DRAIN")).isEqualTo("drain");
        assertThat(Format.eventClass("server.down")).isEqualTo("ev-bad");
        assertThat(Format.eventClass("auth.login.failed")).isEqualTo("ev-bad");
        assertThat(Format.eventClass("service.degraded")).isEqualTo("ev-warn");
        assertThat(Format.eventClass("server.state")).isEqualTo("ev-server");
        assertThat(Format.level(95)).isEqualTo("crit");
        assertThat(Format.level(75)).isEqualTo("warn");
        assertThat(Format.level(5)).isEqualTo("ok");
    }
}
