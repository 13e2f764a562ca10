#!/usr/bin/env python3
"""Writes the broken-header corpus: one mail per way real mail breaks RFC 2047/2231 in its
headers (raw 8-bit bytes in a legacy charset, raw ISO-2022-JP, misspelt and unknown charset
labels, legacy-charset attachment names). Run it to change them; the tests' expected texts are
written by hand in src-tauri/crates/onboard/tests/broken_headers.rs."""
import base64
import pathlib
import urllib.parse

HERE = pathlib.Path(__file__).parent


def b(text, charset):
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset_codec(charset))).decode()}?="


def q(raw: bytes, charset):
    out = ""
    for c in raw:
        if chr(c).isalnum() and c < 128:
            out += chr(c)
        elif c == 32:
            out += "_"
        else:
            out += "=%02X" % c
    return f"=?{charset}?Q?{out}?="


def charset_codec(label):
    return {"ks_c_5601-1987": "euc_kr", "gb2312": "gb2312", "iso-8859-8-i": "iso8859_8",
            "windows-874": "cp874", "unknown-8bit": "utf-8"}.get(label, label)


def pct(text, codec):
    return urllib.parse.quote(text.encode(codec), safe="")


def mail(name, headers: bytes, body: bytes = b"Hello.\r\n"):
    common = (b"Date: Mon, 07 Dec 2026 10:00:00 +0000\r\n"
              b"Message-ID: <" + name.encode() + b"@broken-headers.test>\r\n"
              b"MIME-Version: 1.0\r\n")
    (HERE / f"{name}.eml").write_bytes(headers + common + b"\r\n" + body)


def raw(name, codec, sender, to, subject, content_type=b"Content-Type: text/plain\r\n"):
    e = lambda s: s.encode(codec)
    mail(name, b"From: " + e(sender) + b"\r\nTo: " + e(to) + b"\r\nSubject: " + e(subject)
         + b"\r\n" + content_type)


raw("raw-utf-8", "utf-8", "Zoë Ångström <zoe@example.test>", "Jörg Müller <joerg@example.test>",
    "Grüße aus Malmö – Angebot №7",
    # A label that lies: valid UTF-8 wins over it.
    b"Content-Type: text/plain; charset=iso-8859-1\r\n")
raw("raw-windows-1252", "cp1252", "Jörg Müller <joerg@example.test>",
    "\"Zoë Ångström\" <zoe@example.test>", "Grüße aus Köln – Rechnung über 25 €")
raw("raw-koi8-r", "koi8-r", "Иван Петров <ivan@example.test>",
    "Ольга Смирнова <olga@example.test>", "Счёт на оплату за декабрь")
raw("raw-windows-1251", "cp1251", "Сергей Козлов <sergey@example.test>",
    "Анна Иванова <anna@example.test>", "Привет, мир! Отчёт за ноябрь")
# ソ and 表 end in 0x5C, a backslash inside the quoted name.
raw("raw-shift_jis", "shift_jis", "\"ソフト開発部 山田\" <yamada@example.jp>",
    "佐藤花子 <sato@example.jp>", "会議の資料について（ソフト表）")
raw("raw-euc-kr", "euc-kr", "김철수 <kim@example.kr>", "이영희 <lee@example.kr>",
    "안녕하세요, 회의 일정 안내")
raw("raw-gb18030", "gb18030", "张伟 <zhang@example.cn>", "李娜 <li@example.cn>",
    "你好，关于下周的会议安排")
# 山 is ESC $ B ";3": a semicolon, which ends an address group.
raw("raw-iso-2022-jp", "iso2022_jp", "山田太郎 <yamada@example.jp>", "鈴木一郎 <suzuki@example.jp>",
    "会議の資料について")
raw("charset-from-content-type", "iso8859_2", "Paweł Wiśniewski <pawel@example.pl>",
    "Małgorzata Żak <gosia@example.pl>", "Zażółć gęślą jaźń - faktura",
    b"Content-Type: text/plain; charset=\"ISO-8859-2\"\r\n")

mail("mislabelled-encoded-words",
     ("From: " + b("张伟", "gb2312") + " <zhang@example.cn>\r\n"
      "To: " + q("דנה לוי".encode("iso8859_8"), "iso-8859-8-i") + " <dana@example.il>,\r\n "
      + q("สมชาย".encode("cp874"), "windows-874") + " <somchai@example.th>\r\n"
      "Cc: " + q("José".encode(), "utf8") + " <jose@example.es>, "
      + q("François".encode("cp1252"), "cp1252") + " <francois@example.fr>,\r\n "
      # Latin-1 bytes in a word labelled UTF-8.
      + q("Anna Müller".encode("latin-1"), "utf-8") + " <anna@example.de>\r\n"
      "Subject: " + b("회의 일정", "ks_c_5601-1987")
      # A character split between two words.
      + " =?utf-8?Q?_=E2=80=93_Caf=C3?= =?utf-8?B?qQ==?=\r\n"
      "Content-Type: text/plain; charset=us-ascii\r\n").encode())

mail("unknown-encoded-word-charset",
     ("From: " + q("Jörg Müller".encode("cp1252"), "x-unknown") + " <joerg@example.test>\r\n"
      "To: " + b("Zoë Ångström", "unknown-8bit") + " <zoe@example.test>\r\n"
      "Subject: " + q("Grüße aus Köln".encode("cp1252"), "x-unknown") + "\r\n"
      "Content-Type: text/plain\r\n").encode())

name = "Отчёт за ноябрь.xls".encode("cp1251")
mail("attachment-name-raw-8bit",
     b"From: Sergey <sergey@example.test>\r\nTo: anna@example.test\r\nSubject: "
     + "Отчёт за ноябрь".encode("cp1251") + b"\r\n"
     b"Content-Type: multipart/mixed; boundary=\"b\"\r\n",
     b"--b\r\nContent-Type: text/plain\r\n\r\nSee the attachment.\r\n"
     b"--b\r\nContent-Type: application/vnd.ms-excel; name=\"" + name + b"\"\r\n"
     b"Content-Disposition: attachment; filename=\"" + name + b"\"\r\n"
     b"Content-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--b--\r\n")

sjis = pct("会議の資料.pdf", "shift_jis")
# Sections split inside 議 (0x8B 0x63).
split = sjis.index("%8B") + 3
mail("attachment-name-rfc2231-legacy",
     b"From: Documents <docs@example.test>\r\nTo: team@example.test\r\nSubject: Minutes\r\n"
     b"Content-Type: multipart/mixed; boundary=\"b\"\r\n",
     ("--b\r\nContent-Type: text/plain\r\n\r\nFour files.\r\n"
      "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;\r\n"
      f" filename*0*=shift_jis''{sjis[:split]};\r\n filename*1*={sjis[split:]}\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nAAAA\r\n"
      "--b\r\nContent-Type: application/octet-stream\r\n"
      f"Content-Disposition: attachment; filename*=ks_c_5601-1987''{pct('회의록.hwp', 'euc_kr')}\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nAAAA\r\n"
      "--b\r\nContent-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;\r\n"
      f" name*=gb2312'zh'{pct('会议纪要.docx', 'gb2312')}\r\nContent-Disposition: attachment\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nAAAA\r\n"
      "--b\r\nContent-Type: text/plain; name*=\"x-unknown''" + pct("Счёт.txt", "cp1251") + "\"\r\n"
      "Content-Disposition: attachment\r\n\r\nx\r\n"
      "--b--\r\n").encode())
