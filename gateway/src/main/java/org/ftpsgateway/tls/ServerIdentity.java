package org.ftpsgateway.tls;

import java.net.InetAddress;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.security.auth.x500.X500Principal;
import org.ftpsgateway.protocol.DataAddresses;

/**
 * Checks that a server certificate names the server we meant to reach (RFC 6125 §6). The JDK's own check is
 * not enough here: when the SNI name does not match it falls back to the connected address, so a certificate
 * for 127.0.0.1 would pass for {@code serverName: ftps.example.com}. This check uses only the configured name.
 */
public final class ServerIdentity {

  private static final int SAN_DNS = 2;
  private static final int SAN_IP = 7;

  private ServerIdentity() {
  }

  /** Throws with a sentence when {@code certificate} does not name {@code serverName}. */
  public static void verify(X509Certificate certificate, String serverName) throws CertificateException {
    String name = serverName.strip();
    if (name.startsWith("[") && name.endsWith("]")) {
      name = name.substring(1, name.length() - 1);
    }
    boolean ip = DataAddresses.isIpv4Literal(name) || name.indexOf(':') >= 0;
    List<String> dns = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    Collection<List<?>> sans;
    try {
      sans = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new CertificateException("unreadable subject alternative names: " + e.getMessage(), e);
    }
    if (sans != null) {
      for (List<?> san : sans) {
        int type = (Integer) san.get(0);
        if (type == SAN_DNS) {
          dns.add((String) san.get(1));
        } else if (type == SAN_IP) {
          ips.add((String) san.get(1));
        }
      }
    }
    if (ip) {
      for (String candidate : ips) {
        if (sameAddress(candidate, name)) {
          return;
        }
      }
      throw new CertificateException("certificate does not name " + name + " (IP addresses in it: " + ips + ")");
    }
    List<String> names = dns;
    if (dns.isEmpty() && ips.isEmpty()) {
      // RFC 6125 §6.4.4: the CN only counts when there is no subjectAltName at all
      String cn = commonName(certificate.getSubjectX500Principal());
      names = cn == null ? List.of() : List.of(cn);
    }
    for (String candidate : names) {
      if (matchesDns(candidate, name)) {
        return;
      }
    }
    throw new CertificateException("certificate does not name " + name + " (names in it: " + names + ")");
  }

  /** RFC 6125 §6.4.3: exact (case-insensitive), or a wildcard as the whole left-most label matching one label. */
  static boolean matchesDns(String pattern, String host) {
    String p = trimDot(pattern.toLowerCase(Locale.ROOT));
    String h = trimDot(host.toLowerCase(Locale.ROOT));
    if (!p.startsWith("*.")) {
      return p.equals(h);
    }
    String suffix = p.substring(1); // ".example.com"
    if (suffix.indexOf('.', 1) < 0) {
      return false; // "*.com" is never accepted
    }
    if (!h.endsWith(suffix)) {
      return false;
    }
    String label = h.substring(0, h.length() - suffix.length());
    return !label.isEmpty() && label.indexOf('.') < 0;
  }

  private static String trimDot(String s) {
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  private static boolean sameAddress(String a, String b) {
    try {
      return InetAddress.getByName(a).equals(InetAddress.getByName(b)); // literals: parsed, not looked up
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static String commonName(X500Principal principal) {
    try {
      var ldap = new javax.naming.ldap.LdapName(principal.getName());
      for (var rdn : ldap.getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return rdn.getValue().toString();
        }
      }
    } catch (javax.naming.InvalidNameException e) {
      return null;
    }
    return null;
  }
}
