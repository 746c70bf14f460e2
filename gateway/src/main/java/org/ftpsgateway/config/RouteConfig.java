package org.ftpsgateway.config;

import java.util.regex.Pattern;

/**
 * One entry of {@code routes:}: the user names it matches, the upstream they go to, and optionally the name sent
 * there instead.
 *
 * @param user an exact name, or a glob where {@code *} matches any run of characters and {@code ?} one character
 * @param rewriteUser the user name sent upstream, or null to send the client's
 */
public record RouteConfig(String user, String upstream, String rewriteUser) {

  /** Whether {@code name} matches {@link #user}: the whole name, case-sensitively (user names are, on most servers). */
  public boolean matches(String name) {
    return glob(user).matcher(name).matches();
  }

  static Pattern glob(String pattern) {
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      if (c == '*' || c == '?') {
        if (!literal.isEmpty()) {
          regex.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        regex.append(c == '*' ? ".*" : ".");
      } else {
        literal.append(c);
      }
    }
    if (!literal.isEmpty()) {
      regex.append(Pattern.quote(literal.toString()));
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
