package e1kfuzz.model;

/**
 * Branches that matter for the races. The model records each one it passes through, so a test can
 * assert that the case it targets really reached the branch it claims to test.
 */
public enum Mark {
  TX_CAUSES_PARKED,
  RX_CAUSES_PARKED,
  ZERO_LENGTH_DELAY_TIMER,
  MSIX_ENABLED_WITH_PARKED_CAUSES,
  COLLECT_UNDER_MSIX,
  PARKED_CAUSES_DISCARDED,
  FIRE_ALL_TIMERS,
  ITR_CALLBACK_UNDER_MSIX,
  EITR_CALLBACK_WITHOUT_MSIX,
  ITR_POSTPONED,
  EITR_POSTPONED,
  STALE_PENDING_FLAG_FIRED,
  EIAC_AUTO_CLEAR,
  PBA_SET,
  PBA_DELIVERED_ON_UNMASK,
  ICR_CLEARED_BY_IMS_BIT,
  SOFTWARE_RESET,
  RX_HELD,
  TX_LOOPBACK,
  FPD_FLUSH;

  long bit() {
    return 1L << ordinal();
  }
}
