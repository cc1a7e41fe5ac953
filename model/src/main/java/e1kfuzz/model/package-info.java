/**
 * The e1000e interrupt manager as QEMU implements it, per release and fix candidate, with the
 * invariants e1kfuzz checks. No I/O, no wall clock: time is virtual and moves only in steps.
 *
 * <p>A {@link e1kfuzz.model.Step} is one guest action or wait; {@link e1kfuzz.model.E1000eCore}
 * holds what every release shares, {@link e1kfuzz.model.Qemu720} the v7.2.0 functions, and each
 * later {@link e1kfuzz.model.Variant} overrides only what its upstream patch changed. {@link
 * e1kfuzz.model.Runner} runs steps: until the first violation (the property) or until an abort (the
 * device as QEMU runs it, for comparisons and timing). {@code CauseOrigins} is e1kfuzz's own
 * bookkeeping of where causes came from, kept apart from the QEMU mirror.
 *
 * <h2>The model's methods and the QEMU functions they mirror ({@code hw/net/e1000e_core.c})</h2>
 *
 * <table>
 *   <caption>method: QEMU function (overridden in)</caption>
 *   <tr><th>method</th><th>QEMU function</th><th>overridden in</th></tr>
 *   <tr><td>setInterruptCause</td><td>e1000e_set_interrupt_cause</td><td>Qemu720, Qemu81</td></tr>
 *   <tr><td>updateInterruptState</td><td>e1000e_update_interrupt_state</td><td>Qemu720</td></tr>
 *   <tr><td>collectDelayedCauses</td><td>e1000e_intmgr_collect_delayed_causes</td>
 *       <td>Qemu720, Qemu7220, Qemu102, FixV1</td></tr>
 *   <tr><td>delayTxCauses / delayRxCauses</td><td>e1000e_intrmgr_delay_tx_causes /
 *       e1000e_intrmgr_delay_rx_causes</td><td></td></tr>
 *   <tr><td>onDelayTimer</td><td>e1000e_intrmgr_on_timer</td><td></td></tr>
 *   <tr><td>rearmTimer / stopTimer</td><td>e1000e_intrmgr_rearm_timer /
 *       e1000e_intrmgr_stop_timer</td><td></td></tr>
 *   <tr><td>onThrottlingTimer</td><td>e1000e_intrmgr_on_throttling_timer (ITR)</td>
 *       <td>Qemu720, Qemu81</td></tr>
 *   <tr><td>onMsixThrottlingTimer</td><td>e1000e_intrmgr_on_msix_throttling_timer (EITR)</td>
 *       <td>Qemu720, Qemu81</td></tr>
 *   <tr><td>fireAllTimers</td><td>e1000e_intrmgr_fire_all_timers</td><td>Qemu720, Qemu81</td></tr>
 *   <tr><td>postponeInterrupt</td><td>e1000e_postpone_interrupt</td><td></td></tr>
 *   <tr><td>intrmgrReset</td><td>e1000e_intrmgr_reset</td><td></td></tr>
 *   <tr><td>resetCore</td><td>e1000e_reset</td><td></td></tr>
 *   <tr><td>fixIcrAsserted</td><td>e1000e_fix_icr_asserted</td><td></td></tr>
 *   <tr><td>raiseLegacyIrq</td><td>e1000e_raise_legacy_irq</td><td></td></tr>
 *   <tr><td>sendMsi</td><td>e1000e_send_msi</td><td>Qemu720</td></tr>
 *   <tr><td>msixNotify / msixNotifyOne</td><td>e1000e_msix_notify / e1000e_msix_notify_one</td>
 *       <td></td></tr>
 *   <tr><td>msixNotifyFromTimer</td><td>msix_notify from a throttling-timer expiry</td><td></td></tr>
 *   <tr><td>msixClear</td><td>e1000e_msix_clear</td><td></td></tr>
 *   <tr><td>readIcr</td><td>e1000e_mac_icr_read</td><td>Qemu720, Qemu81</td></tr>
 *   <tr><td>writeIcr</td><td>e1000e_set_icr</td><td>Qemu720, Qemu81</td></tr>
 *   <tr><td>writeIms / writeImc</td><td>e1000e_set_ims / e1000e_set_imc</td><td>Qemu720, Qemu81</td></tr>
 *   <tr><td>writeCtrl</td><td>e1000e_set_ctrl</td><td>Qemu720, Qemu81</td></tr>
 *   <tr><td>writeMdic</td><td>e1000e_set_mdic</td><td></td></tr>
 *   <tr><td>writeTdt / writeTctl</td><td>e1000e_set_tdt / e1000e_set_tctl</td><td></td></tr>
 *   <tr><td>writeRctl</td><td>e1000e_set_rx_control</td><td></td></tr>
 *   <tr><td>onAutonegTimer</td><td>e1000e_autoneg_timer</td><td></td></tr>
 *   <tr><td>onMsixEnableWrite</td><td>e1000e_write_config, on the write that enables MSI-X
 *       (e1000e has no such hook; the candidate fix adds one)</td><td>FixModeSwitch</td></tr>
 * </table>
 *
 * <h2>Each signature and where it is checked</h2>
 *
 * <table>
 *   <caption>signature: where</caption>
 *   <tr><th>signature</th><th>checked in</th></tr>
 *   <tr><td>assert:collect-delayed-causes</td><td>Qemu720.collectDelayedCauses (QEMU's assert)</td></tr>
 *   <tr><td>assert:itr-timer-under-msix</td><td>Qemu720.onThrottlingTimer (QEMU's assert)</td></tr>
 *   <tr><td>assert:eitr-timer-without-msix</td><td>Qemu720.onMsixThrottlingTimer (QEMU's assert)</td></tr>
 *   <tr><td>legacy-cause-over-msix</td><td>E1000eCore.msixNotifyOne, msixNotifyFromTimer (with
 *       CauseOrigins)</td></tr>
 *   <tr><td>intx-under-msix</td><td>E1000eCore.raiseLegacyIrq</td></tr>
 *   <tr><td>delivery:spurious-interrupt</td><td>E1000eCore.checkMsixSignal (msixNotifyOne,
 *       msixNotifyFromTimer), checkSignal (msiNotify, raiseLegacyIrq)</td></tr>
 *   <tr><td>delivery:unthrottled-interrupt</td><td>E1000eCore.throttle, at every message and INTx
 *       assertion (with DeliveryMonitor's counters)</td></tr>
 *   <tr><td>delivery:auto-clear-before-message</td><td>E1000eCore.msixNotifyOne, when EITR holds
 *       the message back</td></tr>
 *   <tr><td>delivery:lost-interrupt</td><td>E1000eCore.step once no timer runs, and settle at the
 *       end of a trace (with DeliveryMonitor's owed channels)</td></tr>
 *   <tr><td>consistency:delay-timer-armed-under-msix</td><td>E1000eCore.rearmTimer</td></tr>
 *   <tr><td>consistency:ims-invalid-bits, consistency:pending-bit-unmasked,
 *       consistency:reset-state</td><td>E1000eCore.checkStateInvariants, after every step</td></tr>
 *   <tr><td>strict:stale-delayed-state-under-msix, strict:icr-asserted-mismatch,
 *       strict:ics-mirror-stale</td><td>E1000eCore.checkStateInvariants, with strict on</td></tr>
 * </table>
 */
package e1kfuzz.model;
