//! kiban's web pages in a real browser: Debian's headless Chromium driven through
//! chromedriver (installed by scripts/ensure-browser) against `kiban serve` on 127.0.0.1.
//! Every test keeps screenshots of its steps, and the last page it saw, in
//! `<target>/browser-artifacts/<test>/`.

mod careplan;
mod citizen;
mod client_cert;
mod fixture;
mod municipal;
mod scenarios;
mod webdriver;

use anyhow::{ensure, Context, Result};
use fixture::Fixture;
use std::time::Duration;

/// Long enough for a cold page on two busy cores; a page that exists shows up far sooner.
const PAGE: Duration = Duration::from_secs(10);

#[test]
fn start_page_names_the_platform_in_japanese_with_a_real_font() -> Result<()> {
    let f = Fixture::start("start_page_names_the_platform_in_japanese_with_a_real_font")?;
    let url = f.url("/");
    f.browser.navigate(&url)?;
    let h1 = f
        .browser
        .wait_for("h1", PAGE)
        .with_context(|| format!("the start page {url} has no <h1> (see last.html)"))?;
    let heading = h1.text()?;
    ensure!(
        heading.contains("介護情報基盤"),
        "the start page's <h1> is {heading:?} (title {:?})",
        f.browser.title()?
    );
    f.screenshot("01-start-page")?;

    // Without a Japanese font every kanji is drawn as an empty box ("tofu") and the page is
    // unreadable, yet the DOM text — all the checks above see — is the same. So ask the
    // browser which fonts actually drew the heading: a JP-variant CJK font must have drawn
    // every kanji (the JP variant also gives the Japanese, not Chinese, glyph shapes).
    let kanji = heading.chars().filter(|&c| is_cjk(c)).count();
    let fonts = f.browser.rendered_fonts("h1")?;
    ensure!(
        fonts
            .iter()
            .any(|(family, glyphs)| family.contains("CJK JP") && *glyphs >= kanji as u64),
        "the {kanji} kanji of {heading:?} were not drawn by a Japanese font: {fonts:?}"
    );
    // The same from the page's side, without DevTools: in a CJK font a kanji is one em wide;
    // a missing-glyph box is about 0.6 em.
    let em_per_kanji = f.browser.execute(
        "const style = getComputedStyle(document.querySelector('h1'));
         const ctx = document.createElement('canvas').getContext('2d');
         ctx.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
         return ctx.measureText('介護情報基盤').width / 6 / parseFloat(style.fontSize);",
        vec![],
    )?;
    let em = em_per_kanji
        .as_f64()
        .context("the width script returned no number")?;
    ensure!(
        (0.95..=1.05).contains(&em),
        "a kanji in the heading's font is {em:.2} em wide, not 1 em: tofu?"
    );
    f.element_screenshot(&h1, "02-heading-in-japanese-font")?;
    Ok(())
}

#[test]
fn start_page_fits_a_390_px_phone() -> Result<()> {
    let f = Fixture::start("start_page_fits_a_390_px_phone")?;
    f.browser.set_window_size(390, 844)?;
    let url = f.url("/");
    f.browser.navigate(&url)?;
    let heading = f
        .browser
        .wait_for("h1", PAGE)
        .with_context(|| format!("the start page {url} has no <h1> (see last.html)"))?
        .text()?;
    ensure!(
        heading.contains("介護情報基盤"),
        "the <h1> at 390 px is {heading:?}"
    );
    let widths = f.browser.execute(
        "return [window.innerWidth, document.documentElement.scrollWidth];",
        vec![],
    )?;
    let (viewport, content) = (widths[0].as_u64(), widths[1].as_u64());
    ensure!(
        viewport == Some(390),
        "the viewport is {viewport:?} px wide, not 390"
    );
    // A phone user must not have to scroll sideways to read a line.
    ensure!(
        content <= viewport,
        "the page is {content:?} px wide in a 390 px viewport: it scrolls sideways"
    );
    f.screenshot("01-start-page-390px")?;
    Ok(())
}

/// Kanji, kana and full-width forms: what a Latin font cannot draw.
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{ff00}'..='\u{ffef}')
}
