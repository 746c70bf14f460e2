package org.ftpsgateway.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects what one logger writes while it is open (the audit lines, a class's warnings). */
public final class LogCapture extends Handler implements AutoCloseable {

  private final Logger logger;
  /** Records arrive on the sessions' event loops and timer threads. */
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  private LogCapture(Logger logger) {
    this.logger = logger;
  }

  /** Captures the logger named {@code name} until {@link #close}. */
  public static LogCapture of(String name) {
    LogCapture capture = new LogCapture(Logger.getLogger(name));
    capture.logger.addHandler(capture);
    return capture;
  }

  /** The audit lines (logger {@code org.ftpsgateway.audit}). */
  public static LogCapture audit() {
    return of("org.ftpsgateway.audit");
  }

  public List<LogRecord> records() {
    return List.copyOf(records);
  }

  /** The messages logged at {@code level} or above. */
  public List<String> messages(Level level) {
    return records.stream().filter(r -> r.getLevel().intValue() >= level.intValue())
        .map(r -> String.valueOf(r.getMessage())).toList();
  }

  /** Every line so far that starts with {@code event} (audit: "transfer", "session"). */
  public List<String> events(String event) {
    return records.stream().map(r -> String.valueOf(r.getMessage())).filter(l -> l.startsWith(event + " ")).toList();
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
