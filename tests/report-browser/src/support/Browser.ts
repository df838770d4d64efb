import { existsSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { type Browser, launch } from "puppeteer-core"

/**
 * Debian's Chromium (scripts/chromium/install.sh installs it when missing; npm's browser downloads
 * cannot reach their hosts here). TABLECAST_CHROMIUM names another binary.
 */
export const chromiumPath = (): string => {
  const binary = process.env.TABLECAST_CHROMIUM ?? "/usr/bin/chromium"
  if (!existsSync(binary)) throw new Error(`no Chromium at ${binary}: run \`bash scripts/chromium/install.sh\` (or set TABLECAST_CHROMIUM)`)
  return binary
}

/** A headless Chromium that asks nothing of the network by itself (no updates, sync, QUIC or first-run pages), with a profile of its own. */
export const startBrowser = async (): Promise<{ readonly browser: Browser; readonly close: () => Promise<void> }> => {
  const profile = await mkdtemp(path.join(tmpdir(), "tablecast-chromium-"))
  const browser = await launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`
    ]
  })
  return {
    browser,
    close: async () => {
      await browser.close()
      await rm(profile, { recursive: true, force: true })
    }
  }
}

/**
 * How many pixels of a PNG differ from its top-left pixel, counted by the browser itself (a canvas
 * decodes the image): a blank screenshot has none.
 */
export const pixelsUnlikeBackground = async (browser: Browser, png: Uint8Array): Promise<number> => {
  const page = await browser.newPage()
  try {
    const dataUrl = `data:image/png;base64,${Buffer.from(png).toString("base64")}`
    return await page.evaluate(async (source: string) => {
      const image = new Image()
      image.src = source
      await image.decode()
      const canvas = document.createElement("canvas")
      canvas.width = image.width
      canvas.height = image.height
      const context = canvas.getContext("2d")!
      context.drawImage(image, 0, 0)
      const pixels = context.getImageData(0, 0, image.width, image.height).data
      let unlike = 0
      for (let index = 0; index < pixels.length; index += 4) {
        if (pixels[index] !== pixels[0] || pixels[index + 1] !== pixels[1] || pixels[index + 2] !== pixels[2]) unlike++
      }
      return unlike
    }, dataUrl)
  } finally {
    await page.close()
  }
}
