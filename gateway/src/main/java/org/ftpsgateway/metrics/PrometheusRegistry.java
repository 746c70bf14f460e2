package org.ftpsgateway.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;

/** The registry the gateway scrapes: its own meters (GatewayMetrics) beside the JVM and process binders. */
public final class PrometheusRegistry {

  /**
   * ProcessorMetrics' gauge {@code system.cpu.count} would be exported as {@code system_cpu_count}, and a gauge
   * ending in {@code _count} reads as a summary's or histogram's count ({@code promtool check metrics}:
   * "non-histogram and non-summary metrics should not have "_count" suffix"). Exported as {@code system_cpu_cores}.
   */
  static final String CPU_COUNT = "system.cpu.count";
  static final String CPU_COUNT_RENAMED = "system.cpu.cores";
  /**
   * ProcessorMetrics' counter {@code process.cpu.time} counts nanoseconds ({@code process_cpu_time_ns_total}:
   * "metric names should not contain abbreviated units"); it is replaced by {@code process_cpu_seconds_total}, the
   * name Prometheus client libraries give the same figure.
   */
  static final String PROCESS_CPU_NANOS = "process.cpu.time";

  private PrometheusRegistry() {
  }

  /** A Prometheus registry with the JVM, process and system binders bound. */
  public static PrometheusMeterRegistry create() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // a filter applies to meters registered after it: before the binders
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        return id.getName().equals(CPU_COUNT) ? id.withName(CPU_COUNT_RENAMED) : id;
      }
    }).meterFilter(MeterFilter.deny(id -> id.getName().equals(PROCESS_CPU_NANOS)));
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9).baseUnit("seconds")
          .description("CPU time used by the process (all threads, user and system)").register(registry);
    }
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    return registry;
  }
}
