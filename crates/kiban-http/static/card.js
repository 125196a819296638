// kiban card.js: plays the card reader in the browser, with WebCrypto only (no third-party code).
//
// A card file (kiban-card/2) holds the card certificate and its P-256 private key, sealed with
// AES-256-GCM under a key derived from the 4-digit PIN by PBKDF2-HMAC-SHA256; the associated
// data is the SHA-256 of the certificate's DER. We unseal it here, sign the server's challenge
// and hand back {cert_pem, signature}. The PIN and the key never leave this page: the PIN field
// has no name, so the form never sends it. The signature is WebCrypto's raw r||s (64 bytes),
// base64url, which the server accepts as well as DER.
//
// The PIN retry counter (docs/card-stand-in.md): like the real card, three wrong PINs in a row
// lock it. The card file's own counter (pin_failures, kept by `kiban card sign`) is honoured,
// and since a page cannot write back to the chosen file, this browser keeps its own count per
// card (localStorage, keyed by the certificate's SHA-256) that survives reloading the page. A
// right PIN before the limit resets it. Neither stops someone who copies the file and tries
// PINs with another program: the document says so plainly.
(function () {
  "use strict";

  var PIN_RETRY_LIMIT = 3;

  function hex(bytes) {
    var view = new Uint8Array(bytes);
    var out = "";
    for (var i = 0; i < view.length; i++) out += (view[i] < 16 ? "0" : "") + view[i].toString(16);
    return out;
  }

  // This browser's count of wrong PINs for a card (0 if storage is unavailable).
  function failures(id) {
    try {
      var n = parseInt(window.localStorage.getItem("kiban-card-pin-failures:" + id) || "0", 10);
      return isNaN(n) ? 0 : n;
    } catch (e) {
      return 0;
    }
  }

  function setFailures(id, n) {
    try {
      if (n === 0) window.localStorage.removeItem("kiban-card-pin-failures:" + id);
      else window.localStorage.setItem("kiban-card-pin-failures:" + id, String(n));
    } catch (e) {
      // Private mode without storage: the count then lasts only as long as the file's.
    }
  }

  function locked() {
    return fail("CARD_LOCKED", "暗証番号を続けて" + PIN_RETRY_LIMIT +
      "回間違えたため、このカードはロックされています。市区町村の窓口で解除してください。");
  }

  function fromBase64(text) {
    // Accepts base64 and base64url, padded or not.
    var s = text.replace(/-/g, "+").replace(/_/g, "/").replace(/\s+/g, "");
    while (s.length % 4 !== 0) s += "=";
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function toBase64url(bytes) {
    var bin = "";
    var view = new Uint8Array(bytes);
    for (var i = 0; i < view.length; i++) bin += String.fromCharCode(view[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function pemToDer(pem) {
    var body = pem.replace(/-----BEGIN CERTIFICATE-----/, "")
      .replace(/-----END CERTIFICATE-----/, "");
    return fromBase64(body);
  }

  // Errors carry a Japanese message for the page and a code for tests.
  function fail(code, message) {
    var e = new Error(message);
    e.code = code;
    return e;
  }

  async function sign(fileText, pin, challengeBase64) {
    var card;
    try {
      card = JSON.parse(fileText);
    } catch (e) {
      throw fail("CARD_FILE", "カードのファイルが読み取れません。正しいファイルを選んでください。");
    }
    var key = card && card.key;
    if (!key || card.format !== "kiban-card/2" || key.kdf !== "pbkdf2-hmac-sha256" ||
        key.cipher !== "aes-256-gcm" || typeof card.certificate !== "string") {
      throw fail("CARD_FILE", "このファイルはカードのファイルではないか、古い形式です。");
    }
    if (!/^[0-9]{4}$/.test(pin)) {
      throw fail("PIN_FORMAT", "暗証番号は数字4けたです。");
    }
    var subtle = window.crypto && window.crypto.subtle;
    if (!subtle) {
      throw fail("NO_WEBCRYPTO", "このブラウザではカードを読み取れません。下の「読み取りアプリを使う方法」をお使いください。");
    }
    var base = await subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false,
      ["deriveKey"]);
    var aesKey = await subtle.deriveKey(
      { name: "PBKDF2", salt: fromBase64(key.salt), iterations: key.iterations, hash: "SHA-256" },
      base, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    var aad = await subtle.digest("SHA-256", pemToDer(card.certificate));
    var cardId = hex(aad);
    var counted = Math.max(failures(cardId), Number(card.pin_failures) || 0);
    if (counted >= PIN_RETRY_LIMIT) throw locked();
    var pkcs8;
    try {
      pkcs8 = await subtle.decrypt(
        { name: "AES-GCM", iv: fromBase64(key.nonce), additionalData: aad, tagLength: 128 },
        aesKey, fromBase64(key.ciphertext));
    } catch (e) {
      // GCM authentication failed: a wrong PIN (or a damaged file).
      counted += 1;
      setFailures(cardId, counted);
      if (counted >= PIN_RETRY_LIMIT) throw locked();
      throw fail("WRONG_PIN", "暗証番号が違います。あと" + (PIN_RETRY_LIMIT - counted) +
        "回間違えるとカードがロックされます。もう一度入力してください。");
    }
    setFailures(cardId, 0);
    var signingKey = await subtle.importKey("pkcs8", pkcs8,
      { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
    var signature = await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, signingKey,
      fromBase64(challengeBase64));
    return { cert_pem: card.certificate, signature: toBase64url(signature) };
  }

  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () {
        reject(fail("CARD_FILE", "カードのファイルが読み取れません。"));
      };
      reader.readAsText(file);
    });
  }

  // The login form: <form data-card-login data-message="<base64>"> with a file input
  // [data-card-file], a PIN input [data-card-pin], hidden cert_pem/signature fields, an
  // optional pasted answer (textarea name=response) and a status line [data-card-status].
  function attach(form) {
    var section = form.querySelector("[data-card-js]");
    if (section) section.hidden = false;
    var status = form.querySelector("[data-card-status]");
    var busy = false;
    form.addEventListener("submit", function (event) {
      var pasted = form.querySelector("textarea[name=response]");
      if (pasted && pasted.value.trim() !== "") return; // the reader-app fallback
      // A form that also offers another identity method (the office's witnessed paper
      // consent) is sent as it is when that method is chosen.
      var method = form.querySelector("input[name=method]:checked");
      if (method && method.value !== "card") return;
      event.preventDefault();
      if (busy) return;
      var fileInput = form.querySelector("[data-card-file]");
      var pinInput = form.querySelector("[data-card-pin]");
      var show = function (text) { if (status) status.textContent = text; };
      if (!fileInput.files || fileInput.files.length === 0) {
        show("カードのファイルを選んでください。");
        return;
      }
      busy = true;
      show("カードを読み取っています。しばらくお待ちください…");
      readFile(fileInput.files[0])
        .then(function (text) { return sign(text, pinInput.value, form.dataset.message); })
        .then(function (answer) {
          form.querySelector("input[name=cert_pem]").value = answer.cert_pem;
          form.querySelector("input[name=signature]").value = answer.signature;
          pinInput.value = "";
          show("確認しています…");
          form.submit();
        })
        .catch(function (e) {
          busy = false;
          // A wrong PIN is typed again from an empty field.
          if (e && e.code === "WRONG_PIN") {
            pinInput.value = "";
            pinInput.focus();
          }
          show(e && e.code ? e.message : "カードを読み取れませんでした。もう一度お試しください。");
        });
    });
  }

  window.kibanCard = { sign: sign };
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-card-login]");
    for (var i = 0; i < forms.length; i++) attach(forms[i]);
  });
})();
