/**
 * The simulator kit: what every provider simulator shares. A simulator starts from
 * `createSimulatorApp()` (body limit), puts `switches.api` in front of its API routes, sends its
 * callbacks through one `createCallbackSender()`, mounts its test controls with
 * `mountOrderControls()` and `mountSwitchControls()`, and shows the shopper `renderSandboxPage()`.
 */
export { createSimulatorApp, sandboxBodyLimit, SANDBOX_BODY_LIMIT } from './app.ts';
export {
  acknowledgedBy,
  ANSWER_PREVIEW_BYTES,
  CALLBACK_POLICY_LIMITS,
  createCallbackSender,
  type CallbackAttempt,
  type CallbackDelivery,
  type CallbackPolicy,
  type CallbackRequest,
  type CallbackSender,
  type CallbackSenderOptions,
  type ReceiverAnswer,
} from './callbacks.ts';
export {
  callbackWanted,
  control,
  ControlError,
  forgeryKind,
  mountOrderControls,
  mountSwitchControls,
  readControlBody,
  type OrderCommand,
  type OrderControls,
  type StandardCommand,
} from './controls.ts';
export { PAGE_COLOURS, PAGE_CONTRAST_PAIRS, renderSandboxPage, type SandboxPageInput } from './page.ts';
export {
  createApiSwitches,
  FAULT_MODES,
  type ApiSwitches,
  type ApiSwitchesOptions,
  type DelaySetting,
  type FaultMode,
  type FaultSetting,
} from './switches.ts';
