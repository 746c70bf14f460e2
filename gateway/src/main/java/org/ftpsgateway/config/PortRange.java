package org.ftpsgateway.config;

/** An inclusive TCP port range written {@code first-last} (or a single port). */
public record PortRange(int first, int last) {

  public PortRange {
    if (first < 1 || last > 65535 || first > last) {
      throw new IllegalArgumentException("invalid port range " + first + "-" + last);
    }
  }

  /** Parses {@code "30000-30099"} or {@code "30000"}; the message says what is wrong. */
  public static PortRange parse(String text) {
    String t = text.strip();
    int dash = t.indexOf('-');
    try {
      int first = Integer.parseInt(dash < 0 ? t : t.substring(0, dash).strip());
      int last = dash < 0 ? first : Integer.parseInt(t.substring(dash + 1).strip());
      if (first < 1 || last > 65535) {
        throw new IllegalArgumentException("ports must be within 1-65535, got '" + text + "'");
      }
      if (first > last) {
        throw new IllegalArgumentException("first port is above the last in '" + text + "'");
      }
      return new PortRange(first, last);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected FIRST-LAST (e.g. 30000-30099), got '" + text + "'");
    }
  }

  public int size() {
    return last - first + 1;
  }

  public boolean overlaps(PortRange other) {
    return first <= other.last && other.first <= last;
  }

  @Override
  public String toString() {
    return first + "-" + last;
  }
}
