package org.ftpsgateway.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects the audit lines (logger {@code org.ftpsgateway.audit}) written while it is open. */
public final class AuditCapture extends Handler implements AutoCloseable {

  private static final Logger AUDIT = Logger.getLogger("org.ftpsgateway.audit");
  /** Lines arrive on the sessions' event loops. */
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private AuditCapture() {
  }

  public static AuditCapture start() {
    AuditCapture capture = new AuditCapture();
    AUDIT.addHandler(capture);
    return capture;
  }

  /** Every line so far that starts with {@code event} (e.g. "transfer", "session"). */
  public List<String> events(String event) {
    return lines.stream().filter(l -> l.startsWith(event + " ")).toList();
  }

  @Override
  public void publish(LogRecord record) {
    lines.add(record.getMessage());
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
    AUDIT.removeHandler(this);
  }
}
