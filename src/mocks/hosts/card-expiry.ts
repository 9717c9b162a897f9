/**
 * A test card is expired when the date its issuer holds (the card book's) has passed, whatever date
 * the request carries, as Stripe's expired-card number declines with any expiry; and when the
 * request's own date has passed. YYMM strings compare in date order.
 */
export function expired(cardExpiry: string, requestExpiry: string | undefined, todayYymm: string): boolean {
  return cardExpiry < todayYymm || (requestExpiry !== undefined && requestExpiry < todayYymm);
}
