package e1kfuzz.model;

import java.util.StringJoiner;

/** ICR / ICS / IMS / IMC cause bits and the derived masks of the 82574 interrupt registers. */
public final class Cause {
  private Cause() {}

  public static final int TXDW = 1;
  public static final int TXQE = 1 << 1;
  public static final int LSC = 1 << 2;
  public static final int RXSEQ = 1 << 3;
  public static final int RXDMT0 = 1 << 4;
  public static final int RXO = 1 << 6;
  public static final int RXT0 = 1 << 7;
  public static final int MDAC = 1 << 9;
  public static final int TXD_LOW = 1 << 15;
  public static final int SRPD = 1 << 16;
  public static final int ACK = 1 << 17;
  public static final int MNG = 1 << 18;
  public static final int RXQ0 = 1 << 20;
  public static final int RXQ1 = 1 << 21;
  public static final int TXQ0 = 1 << 22;
  public static final int TXQ1 = 1 << 23;
  public static final int OTHER = 1 << 24;

  /** INT_ASSERTED: recomputed by the device, set when any other ICR bit is set. */
  public static final int ASSERTED = 1 << 31;

  /** Causes that MSI-X reports through ICR.OTHER. */
  public static final int OTHER_CAUSES = LSC | RXO | MDAC | SRPD | ACK | MNG;

  /** Bits an IMS write can set. */
  public static final int IMS_VALID = 0x01F782D7;

  /** The MSI-X queue and OTHER causes (IMS "extended" bits). */
  public static final int EXTENDED = RXQ0 | RXQ1 | TXQ0 | TXQ1 | OTHER;

  public static final int DELAYABLE_TX = TXQ0 | TXQ1 | TXQE | TXDW;
  public static final int DELAYABLE_RX = RXQ0 | RXQ1 | RXT0;

  private static final String[] NAMES = new String[32];

  static {
    NAMES[0] = "TXDW";
    NAMES[1] = "TXQE";
    NAMES[2] = "LSC";
    NAMES[3] = "RXSEQ";
    NAMES[4] = "RXDMT0";
    NAMES[6] = "RXO";
    NAMES[7] = "RXT0";
    NAMES[9] = "MDAC";
    NAMES[15] = "TXD_LOW";
    NAMES[16] = "SRPD";
    NAMES[17] = "ACK";
    NAMES[18] = "MNG";
    NAMES[20] = "RXQ0";
    NAMES[21] = "RXQ1";
    NAMES[22] = "TXQ0";
    NAMES[23] = "TXQ1";
    NAMES[24] = "OTHER";
    NAMES[31] = "ASSERTED";
  }

  /** The causes IVAR routes, in the order of its 4-bit fields (bit 3 valid, bits 0-2 vector). */
  private static final int[] IVAR_FIELDS = {RXQ0, RXQ1, TXQ0, TXQ1, OTHER};

  /**
   * The causes whose IVAR field names {@code vector} with its valid bit set: the queue causes and
   * OTHER (the other causes reach a vector only through OTHER).
   */
  public static int onVector(int ivar, int vector) {
    int causes = 0;
    for (int i = 0; i < IVAR_FIELDS.length; i++) {
      int entry = (ivar >>> (4 * i)) & 0xF;
      if ((entry & 0x8) != 0 && (entry & 0x7) == vector) {
        causes |= IVAR_FIELDS[i];
      }
    }
    return causes;
  }

  /**
   * Names the set bits, e.g. {@code TXDW|TXQE}; unnamed bits print as {@code bitN}; 0 prints as
   * {@code -}.
   */
  public static String describe(int causes) {
    if (causes == 0) {
      return "-";
    }
    StringJoiner joiner = new StringJoiner("|");
    for (int bit = 0; bit < 32; bit++) {
      if ((causes & (1 << bit)) != 0) {
        joiner.add(NAMES[bit] != null ? NAMES[bit] : "bit" + bit);
      }
    }
    return joiner.toString();
  }
}
