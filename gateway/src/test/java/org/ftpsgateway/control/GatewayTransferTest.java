package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ftpsgateway.support.GatewayFixture.randomBytes;
import static org.ftpsgateway.support.GatewayFixture.sha256;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import org.ftpsgateway.support.GatewayFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Commons Net FTPClient -> gateway -> MINA FtpServer requiring explicit FTPS on control and data. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayTransferTest {

  private GatewayFixture fx;

  @BeforeAll
  void start() throws Exception {
    fx = GatewayFixture.start();
  }

  @AfterAll
  void stop() throws Exception {
    fx.close();
  }

  @Test
  void greetsLogsInAndRelaysWrongPassword() throws Exception {
    FTPClient ftp = fx.connect();
    assertThat(ftp.getReplyCode()).isEqualTo(220);
    assertThat(ftp.login(GatewayFixture.USER, "wrong")).isFalse();
    assertThat(ftp.getReplyCode()).isEqualTo(530);
    assertThat(ftp.login(GatewayFixture.USER, GatewayFixture.PASSWORD)).isTrue();
    assertThat(ftp.getReplyCode()).isEqualTo(230);
    assertThat(ftp.printWorkingDirectory()).isEqualTo("/");
    ftp.logout();
    ftp.disconnect();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 1 << 20, 50 << 20})
  void downloadsInPassiveAndExtendedPassiveMode(int size) throws Exception {
    byte[] content = randomBytes(size, size);
    String name = "down-" + size + ".bin";
    Files.write(fx.root().resolve(name), content);
    for (boolean epsv : new boolean[] {false, true}) {
      FTPClient ftp = fx.login();
      ftp.setUseEPSVwithIPv4(epsv);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(ftp.retrieveFile(name, out)).as("RETR %s (epsv=%s): %s", name, epsv, ftp.getReplyString()).isTrue();
      assertThat(ftp.getReplyCode()).isEqualTo(226);
      assertThat(sha256(out.toByteArray())).isEqualTo(sha256(content));
      ftp.logout();
      ftp.disconnect();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 1 << 20, 50 << 20})
  void uploadsAndAppends(int size) throws Exception {
    byte[] content = randomBytes(size, 7 + size);
    String name = "up-" + size + ".bin";
    FTPClient ftp = fx.login();
    assertThat(ftp.storeFile(name, new ByteArrayInputStream(content))).as(ftp.getReplyString()).isTrue();
    assertThat(ftp.getReplyCode()).isEqualTo(226);
    assertThat(Files.size(fx.root().resolve(name))).isEqualTo(size);
    assertThat(sha256(fx.root().resolve(name))).isEqualTo(sha256(content));

    byte[] tail = randomBytes(1000, 99);
    ftp.setUseEPSVwithIPv4(true);
    assertThat(ftp.appendFile(name, new ByteArrayInputStream(tail))).as(ftp.getReplyString()).isTrue();
    byte[] both = Arrays.copyOf(content, content.length + tail.length);
    System.arraycopy(tail, 0, both, content.length, tail.length);
    assertThat(sha256(fx.root().resolve(name))).isEqualTo(sha256(both));
    ftp.logout();
    ftp.disconnect();
  }

  @Test
  void listsNamesAndMachineListings() throws Exception {
    Path dir = fx.root().resolve("listing");
    Files.createDirectories(dir);
    for (String n : List.of("a.txt", "b.txt", "c.bin")) {
      Files.write(dir.resolve(n), n.getBytes());
    }
    FTPClient ftp = fx.login();
    assertThat(ftp.changeWorkingDirectory("listing")).isTrue();
    assertThat(ftp.listNames()).containsExactlyInAnyOrder("a.txt", "b.txt", "c.bin");
    FTPFile[] files = ftp.listFiles();
    assertThat(Arrays.stream(files).map(FTPFile::getName)).containsExactlyInAnyOrder("a.txt", "b.txt", "c.bin");
    FTPFile[] ml = ftp.mlistDir();
    assertThat(Arrays.stream(ml).map(FTPFile::getName)).contains("a.txt", "b.txt", "c.bin");
    assertThat(Arrays.stream(ml).filter(f -> f.getName().equals("c.bin")).findFirst().orElseThrow().getSize())
        .isEqualTo(5);
    ftp.logout();
    ftp.disconnect();
  }

  @Test
  void restartsADownloadAtAnOffset() throws Exception {
    byte[] content = randomBytes(300_000, 3);
    Files.write(fx.root().resolve("rest.bin"), content);
    FTPClient ftp = fx.login();
    ftp.setRestartOffset(123_457);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ftp.retrieveFile("rest.bin", out)).as(ftp.getReplyString()).isTrue();
    assertThat(sha256(out.toByteArray())).isEqualTo(sha256(Arrays.copyOfRange(content, 123_457, content.length)));
    ftp.logout();
    ftp.disconnect();
  }

  @Test
  void abortsADownloadAndTheSessionStaysUsable() throws Exception {
    byte[] big = randomBytes(50 << 20, 11);
    Files.write(fx.root().resolve("abort.bin"), big);
    FTPClient ftp = fx.login();
    InputStream in = ftp.retrieveFileStream("abort.bin");
    assertThat(in).as(ftp.getReplyString()).isNotNull();
    byte[] first = in.readNBytes(64 * 1024);
    assertThat(first).hasSize(64 * 1024);
    // RFC 959 §4.1.3: ABOR while the transfer runs -> 426 for the transfer, then 226 for ABOR
    assertThat(ftp.sendCommand("ABOR")).as(ftp.getReplyString()).isEqualTo(426);
    assertThat(ftp.getReply()).as(ftp.getReplyString()).isEqualTo(226);
    in.close();
    assertThat(ftp.sendNoOp()).as("NOOP after ABOR: " + ftp.getReplyString()).isTrue();
    byte[] small = randomBytes(10_000, 12);
    Files.write(fx.root().resolve("after-abort.bin"), small);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ftp.retrieveFile("after-abort.bin", out)).as(ftp.getReplyString()).isTrue();
    assertThat(sha256(out.toByteArray())).isEqualTo(sha256(small));
    ftp.logout();
    ftp.disconnect();
  }

  @Test
  void manyTransfersInOneSession() throws Exception {
    FTPClient ftp = fx.login();
    for (int i = 0; i < 40; i++) {
      byte[] content = randomBytes(20_000 + i, 100 + i);
      String name = "many-" + i + ".bin";
      ftp.setUseEPSVwithIPv4(i % 2 == 0);
      assertThat(ftp.storeFile(name, new ByteArrayInputStream(content))).as("STOR %d: %s", i, ftp.getReplyString())
          .isTrue();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(ftp.retrieveFile(name, out)).as("RETR %d: %s", i, ftp.getReplyString()).isTrue();
      assertThat(sha256(out.toByteArray())).isEqualTo(sha256(content));
    }
    ftp.logout();
    ftp.disconnect();
  }

  @Test
  void activeModeDownloadAndUpload() throws Exception {
    byte[] content = randomBytes(2 << 20, 21);
    Files.write(fx.root().resolve("active.bin"), content);
    FTPClient ftp = fx.login();
    ftp.enterLocalActiveMode();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ftp.retrieveFile("active.bin", out)).as(ftp.getReplyString()).isTrue();
    assertThat(sha256(out.toByteArray())).isEqualTo(sha256(content));
    ftp.setUseEPSVwithIPv4(true); // EPRT
    assertThat(ftp.storeFile("active-up.bin", new ByteArrayInputStream(content))).as(ftp.getReplyString()).isTrue();
    assertThat(sha256(fx.root().resolve("active-up.bin"))).isEqualTo(sha256(content));
    ftp.logout();
    ftp.disconnect();
  }

  @Test
  void refusesPortToAThirdHostOrAPrivilegedPort() throws Exception {
    FTPClient ftp = fx.login();
    assertThat(ftp.sendCommand("PORT 10,1,2,3,200,10")).isEqualTo(504);
    assertThat(ftp.sendCommand("EPRT |1|192.0.2.7|50000|")).isEqualTo(504);
    assertThat(ftp.sendCommand("PORT 127,0,0,1,0,21")).isEqualTo(504);
    assertThat(ftp.sendCommand("PORT 1,2,3")).isEqualTo(501);
    assertThat(ftp.sendNoOp()).isTrue();
    ftp.logout();
    ftp.disconnect();
  }

  @Test
  void featHidesTheUpstreamSecurityFeatures() throws Exception {
    FTPClient ftp = fx.login();
    assertThat(ftp.features()).isTrue();
    String[] lines = ftp.getReplyStrings();
    assertThat(lines.length).isGreaterThan(2);
    assertThat(lines[0]).startsWith("211-");
    assertThat(lines[lines.length - 1]).startsWith("211 ");
    assertThat(ftp.getReplyString()).doesNotContain("AUTH").doesNotContain("PBSZ").doesNotContain("PROT")
        .contains("EPSV");
    assertThat(ftp.sendCommand("AUTH", "TLS")).isEqualTo(502);
    assertThat(ftp.sendCommand("PROT", "P")).isEqualTo(502);
    ftp.disconnect();
  }

  @Test
  void relaysMultiLineRepliesWhole() throws Exception {
    FTPClient ftp = fx.login();
    int code = ftp.sendCommand("HELP");
    assertThat(code).isBetween(200, 299);
    String[] lines = ftp.getReplyStrings();
    assertThat(lines.length).isGreaterThan(1);
    assertThat(lines[0]).startsWith(code + "-");
    assertThat(lines[lines.length - 1]).startsWith(code + " ");
    assertThat(ftp.sendNoOp()).isTrue();
    ftp.logout();
    ftp.disconnect();
  }

  @Test
  void pipelinedCommandsAreAnsweredInOrder() throws Exception {
    try (Socket s = new Socket("127.0.0.1", fx.port())) {
      s.setSoTimeout(10_000);
      var reader = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
          java.nio.charset.StandardCharsets.ISO_8859_1));
      assertThat(reader.readLine()).startsWith("220");
      OutputStream out = s.getOutputStream();
      out.write(("USER " + GatewayFixture.USER + "\r\nPASS " + GatewayFixture.PASSWORD
          + "\r\nPWD\r\nNOOP\r\nBOGUS!\r\nTYPE I\nQUIT\r\n").getBytes());
      out.flush();
      assertThat(reader.readLine()).startsWith("331");
      assertThat(reader.readLine()).startsWith("230");
      assertThat(reader.readLine()).startsWith("257");
      assertThat(reader.readLine()).startsWith("200");
      assertThat(reader.readLine()).startsWith("500");
      assertThat(reader.readLine()).startsWith("200");
      assertThat(reader.readLine()).startsWith("221");
    }
  }

  @Test
  void passiveDataConnectionFromAnotherHostIsRefused() throws Exception {
    byte[] content = randomBytes(100_000, 31);
    Files.write(fx.root().resolve("hijack.bin"), content);
    FTPClient ftp = fx.login();
    assertThat(ftp.sendCommand("PASV")).isEqualTo(227);
    String reply = ftp.getReplyString();
    String[] n = reply.substring(reply.indexOf('(') + 1, reply.indexOf(')')).split(",");
    int port = Integer.parseInt(n[4].trim()) * 256 + Integer.parseInt(n[5].trim());
    // the whole 127/8 is local on Linux: 127.0.0.2 is "another host" for the gateway
    try (Socket intruder = new Socket()) {
      intruder.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
      intruder.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      intruder.setSoTimeout(5000);
      assertThat(intruder.getInputStream().read()).as("intruder gets nothing, connection closed").isEqualTo(-1);
    }
    try (Socket data = new Socket("127.0.0.1", port)) {
      assertThat(ftp.sendCommand("RETR hijack.bin")).isEqualTo(150);
      byte[] got = data.getInputStream().readAllBytes();
      assertThat(sha256(got)).isEqualTo(sha256(content));
    }
    assertThat(FTPReply.isPositiveCompletion(ftp.getReply())).isTrue();
    ftp.logout();
    ftp.disconnect();
  }

  @Test
  void missingFileGivesTheUpstreamErrorAndTheSessionGoesOn() throws Exception {
    FTPClient ftp = fx.login();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long t0 = System.nanoTime();
    assertThat(ftp.retrieveFile("does-not-exist.bin", out)).isFalse();
    assertThat(ftp.getReplyCode()).isEqualTo(550);
    assertThat((System.nanoTime() - t0) / 1_000_000).as("no wait for a data connection").isLessThan(4000);
    assertThat(ftp.sendNoOp()).isTrue();
    ftp.logout();
    ftp.disconnect();
  }
}
