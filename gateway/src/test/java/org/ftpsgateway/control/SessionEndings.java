package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.commons.net.ftp.FTPClient;

/** Ways a logged-in client session ends, for the tests that count what the gateway leaves behind. */
final class SessionEndings {

  private SessionEndings() {
  }

  /** A full download of {@code file}, then QUIT; returns the bytes received. */
  static int downloadThenQuit(FTPClient ftp, String file) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ftp.retrieveFile(file, out)).isTrue();
    ftp.logout();
    ftp.disconnect();
    return out.size();
  }

  /** The client vanishes mid-download: the control connection is closed with RST. */
  static void vanishMidDownload(FTPClient ftp, String file) throws IOException {
    var in = ftp.retrieveFileStream(file);
    in.readNBytes(1000);
    ftp.setSoLinger(true, 0);
    ftp.disconnect();
    in.close();
  }

  /** ABOR mid-download, then QUIT. */
  static void abortThenQuit(FTPClient ftp, String file) throws IOException {
    var in = ftp.retrieveFileStream(file);
    in.readNBytes(1000);
    ftp.sendCommand("ABOR");
    ftp.getReply();
    in.close();
    ftp.logout();
    ftp.disconnect();
  }

  /** PASV, then gone without a word: the passive port must be released. */
  static void pasvAndGone(FTPClient ftp) throws IOException {
    ftp.sendCommand("PASV");
    ftp.disconnect();
  }
}
