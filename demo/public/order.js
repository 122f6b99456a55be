// Shows the shop's own, server-side view of the order. Browser events only prompt a re-check:
// the order counts as paid when the shop's server says so.
const status = document.getElementById('order-status');
const ref = status?.dataset.ref;

async function refresh() {
  if (!ref) return;
  const response = await fetch(`/order/${encodeURIComponent(ref)}/status`);
  if (!response.ok) return;
  const order = await response.json();
  status.textContent = order.paid ? 'Order confirmed: payment received.' : `Order status: ${order.status}.`;
  status.dataset.paid = String(order.paid);
}

for (const name of ['tender-attempt', 'tender-succeeded', 'tender-failed', 'tender-expired', 'tender-status']) {
  document.addEventListener(name, () => void refresh());
}
void refresh();
