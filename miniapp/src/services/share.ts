/**
 * Share cards. WeChat uses a screenshot of the page when `imageUrl` is missing — on the campaign page that is the
 * list of children who have not signed. Every share therefore carries the designed image shipped in the package
 * (src/assets/share-pledge.png, drawn by scripts/make-share-image.js, copied into the weapp by config/index.ts):
 * no names, no numbers. The path opens a page that survives login (request.ts brings the user back to it).
 */
export const SHARE_IMAGE = '/assets/share-pledge.png';

/** The card for signing campaign `id` (its title is the campaign's, not a person's). */
export function pledgeShareCard(id: number, title?: string | null) {
  return {
    title: title ? `请签署《${title}》` : '请签署承诺书',
    path: `/pages/pledge-sign/index?c=${id}`,
    imageUrl: SHARE_IMAGE,
  };
}
