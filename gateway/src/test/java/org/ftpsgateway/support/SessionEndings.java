package org.ftpsgateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import org.apache.commons.net.ftp.FTPClient;

/** Ways a logged-in client session ends, for the tests that count what the gateway leaves behind. */
public final class SessionEndings {

  private SessionEndings() {
  }

  /** A full download of {@code file}, then QUIT; returns the bytes received. */
  public static int downloadThenQuit(FTPClient ftp, String file) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ftp.retrieveFile(file, out)).isTrue();
    ftp.logout();
    ftp.disconnect();
    return out.size();
  }

  /** The client vanishes mid-download: the control connection is closed with RST. */
  public static void vanishMidDownload(FTPClient ftp, String file) throws IOException {
    var in = ftp.retrieveFileStream(file);
    in.readNBytes(1000);
    ftp.setSoLinger(true, 0);
    ftp.disconnect();
    in.close();
  }

  /** ABOR mid-download, then QUIT. */
  public static void abortThenQuit(FTPClient ftp, String file) throws IOException {
    var in = ftp.retrieveFileStream(file);
    in.readNBytes(1000);
    ftp.sendCommand("ABOR");
    ftp.getReply();
    in.close();
    ftp.logout();
    ftp.disconnect();
  }

  /** PASV, then gone without a word: the passive port must be released. */
  public static void pasvAndGone(FTPClient ftp) throws IOException {
    ftp.sendCommand("PASV");
    ftp.disconnect();
  }

  /**
   * {@code count} sessions on {@code fx}, ending each of the ways above in turn plus a raw connection that says
   * nothing after the greeting; {@code file} must be in the server's root (a few MB, so downloads are cut mid-way).
   */
  public static void mixed(GatewayFixture fx, String file, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      FTPClient ftp = fx.login();
      switch (i % 5) {
        case 0 -> downloadThenQuit(ftp, file);
        case 1 -> vanishMidDownload(ftp, file);
        case 2 -> abortThenQuit(ftp, file);
        case 3 -> pasvAndGone(ftp);
        default -> {
          try (Socket s = new Socket("127.0.0.1", fx.port())) {
            s.getInputStream().read();
          }
          ftp.logout();
          ftp.disconnect();
        }
      }
    }
  }
}
