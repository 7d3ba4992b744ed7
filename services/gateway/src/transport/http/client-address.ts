import ipaddr from 'ipaddr.js';

/**
 * The rate-limit key of a client address (docs/api.md#rate-limits-load-shedding-and-timeouts):
 * an IPv4 address as it is; an IPv6 address by its /64, the prefix one subscriber (a home router,
 * a phone, a cloud VM) usually holds whole, so stepping through its 2^64 addresses does not buy a
 * fresh budget each time; an IPv4-mapped IPv6 address (`::ffff:203.0.113.7`, from a dual-stack
 * socket) as the IPv4 address it is.
 */
export function clientAddressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  // process() turns IPv4-mapped IPv6 into IPv4.
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const parts = (address as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`;
}
