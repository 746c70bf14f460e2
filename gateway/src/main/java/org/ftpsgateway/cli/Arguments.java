package org.ftpsgateway.cli;

import java.nio.file.Path;
import java.util.logging.Level;

/**
 * The command line, parsed without side effects: what to run, or the one line to print and the exit code to return.
 * Options are read left to right; {@code --help} and {@code --version} win over anything after them, a usage error
 * before them wins over them.
 *
 * @param config the configuration file ({@code --config}, or the file after {@code --check-config}); null otherwise
 * @param logLevel {@code --log-level}, or null when the configuration file's {@code logLevel} applies
 * @param error the usage error, without the program name; null unless {@code action} is {@link Action#USAGE_ERROR}
 */
public record Arguments(Action action, Path config, Level logLevel, String error) {

  /** Everything ran (or was printed) as asked. */
  public static final int EXIT_OK = 0;
  /** A runtime failure, e.g. a port in use. */
  public static final int EXIT_RUNTIME = 1;
  /** Bad usage or a bad configuration. */
  public static final int EXIT_CONFIG = 2;

  /** What the command line asks for. */
  public enum Action {
    HELP, VERSION, USAGE_ERROR, DEMO, CHECK_CONFIG, RUN
  }

  public static final String USAGE = """
      Usage: java -jar ftps-gateway.jar [--config FILE | --demo] [--log-level LEVEL]

      A transparent FTP gateway: plain FTP clients connect to it, it speaks FTPS (AUTH TLS, PROT P,
      verified certificates) to the real server.

        --config FILE      run with this YAML configuration (see conf/gateway.yaml)
        --demo             start an embedded FTPS server (user demo/demo) and a gateway in front of it
                           on 127.0.0.1:2021; needs nothing else
        --check-config [FILE]  validate the configuration (FILE or --config): port conflicts, key
                           material, trust; print the effective configuration (defaults and environment
                           applied, secrets masked) as JSON on stdout, messages on stderr; exit 0 or 2
        --log-level LEVEL  error, warn, info (default) or debug
        --help             print this help
        --version          print the version

      Environment: every configuration key can be overridden by FTPGW_<PATH>, e.g.
      FTPGW_UPSTREAM_HOST=ftps.example.com or FTPGW_LISTENERS_0_PORT=2121.
      """;

  public static Arguments parse(String... args) {
    Path config = null;
    boolean demo = false;
    boolean check = false;
    Level level = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--help", "-h" -> {
          return new Arguments(Action.HELP, null, level, null);
        }
        case "--version", "-V" -> {
          return new Arguments(Action.VERSION, null, level, null);
        }
        case "--demo" -> demo = true;
        case "--check-config" -> {
          check = true;
          // also "--check-config FILE"
          if (i + 1 < args.length && !args[i + 1].startsWith("-")) {
            config = Path.of(args[++i]);
          }
        }
        case "--config", "-c" -> {
          if (i + 1 >= args.length) {
            return usageError("--config needs a file name");
          }
          config = Path.of(args[++i]);
        }
        case "--log-level" -> {
          if (i + 1 >= args.length) {
            return usageError("--log-level needs a level");
          }
          try {
            level = LogSetup.parseLevel(args[++i]);
          } catch (IllegalArgumentException e) {
            return usageError(e.getMessage());
          }
        }
        default -> {
          return usageError("unknown argument '" + a + "' (see --help)");
        }
      }
    }
    if (!demo && config == null) {
      return usageError("give --config FILE or --demo (see --help)");
    }
    if (demo && config != null) {
      return usageError("--demo runs its own configuration; do not combine it with --config");
    }
    Action action = demo ? Action.DEMO : check ? Action.CHECK_CONFIG : Action.RUN;
    return new Arguments(action, config, level, null);
  }

  private static Arguments usageError(String message) {
    return new Arguments(Action.USAGE_ERROR, null, null, message);
  }

  /** The exit code when nothing runs after parsing (help, version, a usage error); {@link #EXIT_OK} otherwise. */
  public int exitCode() {
    return action == Action.USAGE_ERROR ? EXIT_CONFIG : EXIT_OK;
  }
}
