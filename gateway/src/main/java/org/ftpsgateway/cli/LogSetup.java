package org.ftpsgateway.cli;

import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** java.util.logging set up for operators: one line per event on stderr, time in UTC, no stack traces below FINE. */
public final class LogSetup {

  /** JUL holds loggers weakly: a configured level is lost unless someone keeps the logger. */
  private static final Logger GATEWAY = Logger.getLogger("org.ftpsgateway");
  private static final Logger MINA_SERVER = Logger.getLogger("org.apache.ftpserver");
  private static final Logger MINA = Logger.getLogger("org.apache.mina");
  private static final Logger MICROMETER = Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");

  private LogSetup() {
  }

  public static void configure(Level gatewayLevel) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    Handler handler = new ConsoleHandler();
    handler.setLevel(Level.ALL);
    handler.setFormatter(new OneLine());
    root.addHandler(handler);
    root.setLevel(Level.WARNING);
    GATEWAY.setLevel(gatewayLevel);
    // MINA (the demo's server) logs every command, and a warning for every client that closes right after QUIT
    MINA_SERVER.setLevel(Level.SEVERE);
    MINA.setLevel(Level.SEVERE);
    // vertx-micrometer registers one "active connections" gauge per NetClient; the duplicates are harmless
    MICROMETER.setLevel(Level.SEVERE);
  }

  public static Level parseLevel(String text) {
    return switch (text.toLowerCase(java.util.Locale.ROOT)) {
      case "debug", "fine" -> Level.FINE;
      case "trace", "finest" -> Level.FINEST;
      case "info" -> Level.INFO;
      case "warn", "warning" -> Level.WARNING;
      case "error", "severe" -> Level.SEVERE;
      default -> throw new IllegalArgumentException("unknown log level '" + text
          + "' (use error, warn, info, debug or trace)");
    };
  }

  private static final class OneLine extends Formatter {
    @Override
    public String format(LogRecord r) {
      String level = switch (r.getLevel().intValue()) {
        case 1000 -> "ERROR";
        case 900 -> "WARN ";
        case 800 -> "INFO ";
        default -> "DEBUG";
      };
      String logger = r.getLoggerName() == null ? "" : r.getLoggerName();
      int dot = logger.lastIndexOf('.');
      StringBuilder sb = new StringBuilder(128)
          .append(Instant.ofEpochMilli(r.getMillis())).append(' ').append(level).append(' ')
          .append(dot >= 0 ? logger.substring(dot + 1) : logger).append(": ")
          .append(formatMessage(r).replace('\n', ' ').replace('\r', ' '));
      Throwable t = r.getThrown();
      if (t != null) {
        sb.append(" (").append(t).append(')');
        if (r.getLevel().intValue() < Level.INFO.intValue()) {
          for (StackTraceElement e : t.getStackTrace()) {
            sb.append("\n    at ").append(e);
          }
        }
      }
      return sb.append('\n').toString();
    }
  }
}
