package org.ftpsgateway.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ftpsgateway.support.GatewayFixture.sha256;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.apache.commons.net.ftp.FTPClient;

/** A download, an upload and a listing through the gateway, each checked (SHA-256 both ways, names listed). */
public final class Transfers {

  private Transfers() {
  }

  /**
   * RETR {@code download} (its content must be {@code content}), STOR {@code content} as {@code upload}, NLST and
   * LIST showing both, in the client's current data mode: four data connections.
   */
  public static void roundTrip(GatewayFixture fx, FTPClient ftp, String download, byte[] content, String upload)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ftp.retrieveFile(download, out)).as("RETR %s: %s", download, ftp.getReplyString()).isTrue();
    assertThat(sha256(out.toByteArray())).isEqualTo(sha256(content));
    assertThat(ftp.storeFile(upload, new ByteArrayInputStream(content))).as("STOR %s: %s", upload,
        ftp.getReplyString()).isTrue();
    assertThat(sha256(fx.root().resolve(upload))).isEqualTo(sha256(content));
    assertThat(ftp.listNames()).as("NLST: %s", ftp.getReplyString()).contains(download, upload);
    assertThat(ftp.listFiles()).as("LIST: %s", ftp.getReplyString()).extracting(f -> f.getName())
        .contains(download, upload);
  }
}
