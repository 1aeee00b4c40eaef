#!/usr/bin/env node
/**
 * Draws the share-card image (5:4, 500×400 PNG) shipped in the package as src/assets/share-pledge.png:
 * the 乡安 mark and a pledge title in the style of the printed 承诺书 — no names, no numbers, nothing personal.
 * WeChat shows it instead of a screenshot of the page (which could show children's names).
 * Run after changing the design: node miniapp/scripts/make-share-image.js (needs sharp, which the server has,
 * and the Noto CJK fonts). The PNG is committed; the build only copies it.
 */
const path = require('path');
const sharp = require(require.resolve('sharp', { paths: [path.join(__dirname, '..', '..', 'server')] }));

const W = 500;
const H = 400;
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#1a6fd1"/><stop offset="1" stop-color="#0f4fa0"/>
    </linearGradient>
  </defs>
  <rect width="${W}" height="${H}" fill="url(#bg)"/>
  <rect x="34" y="34" width="${W - 68}" height="${H - 68}" rx="18" fill="#fffdf7"/>
  <rect x="50" y="50" width="${W - 100}" height="${H - 100}" rx="10" fill="none" stroke="#c8102e" stroke-width="2"/>
  <circle cx="${W / 2}" cy="118" r="40" fill="#1a6fd1"/>
  <text x="${W / 2}" y="132" font-family="Noto Sans CJK SC" font-weight="700" font-size="34" fill="#fff" text-anchor="middle">乡安</text>
  <text x="${W / 2}" y="222" font-family="Noto Serif CJK SC" font-weight="700" font-size="52" fill="#1e293b" text-anchor="middle" letter-spacing="6">安全承诺书</text>
  <line x1="130" y1="248" x2="${W - 130}" y2="248" stroke="#c8102e" stroke-width="2"/>
  <text x="${W / 2}" y="292" font-family="Noto Sans CJK SC" font-size="26" fill="#475569" text-anchor="middle">点开阅读并签名</text>
  <text x="${W / 2}" y="330" font-family="Noto Sans CJK SC" font-size="20" fill="#64748b" text-anchor="middle">家校共守护 · 平安每一天</text>
</svg>`;

const out = path.join(__dirname, '..', 'src', 'assets', 'share-pledge.png');
sharp(Buffer.from(svg))
  .png({ compressionLevel: 9, palette: true, quality: 90 })
  .toFile(out)
  .then((info) => console.log(`wrote ${out} (${info.width}×${info.height}, ${info.size} bytes)`));
