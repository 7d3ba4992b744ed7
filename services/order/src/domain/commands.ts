import type { Actor } from './order.ts';

/** What an actor asks to happen to an existing order. */
export type OrderCommand =
  | { readonly kind: 'ACCEPT'; readonly prepSeconds: number }
  | { readonly kind: 'REJECT'; readonly reason: string }
  | { readonly kind: 'EXPIRE' }
  | { readonly kind: 'MARK_READY' }
  | {
      readonly kind: 'ASSIGN_RIDER';
      readonly riderId: string;
      /** When the rider accepted, if the one assigning says so (dispatch does). */
      readonly assignedAt?: Date | undefined;
    }
  | { readonly kind: 'PICK_UP' }
  | { readonly kind: 'DELIVER' }
  | { readonly kind: 'CANCEL'; readonly reason: string };

export type CommandKind = OrderCommand['kind'];

export interface CommandRequest {
  readonly command: OrderCommand;
  readonly actor: Actor;
  readonly now: Date;
}
