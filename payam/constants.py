"""Choices the whole portal shares, below every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.TextChoices):
    """The 31 provinces, in Persian alphabetical order."""

    AZARBAIJAN_SHARQI = "azarbaijan_sharqi", _("آذربایجان شرقی")
    AZARBAIJAN_GHARBI = "azarbaijan_gharbi", _("آذربایجان غربی")
    ARDABIL = "ardabil", _("اردبیل")
    ESFAHAN = "esfahan", _("اصفهان")
    ALBORZ = "alborz", _("البرز")
    ILAM = "ilam", _("ایلام")
    BUSHEHR = "bushehr", _("بوشهر")
    TEHRAN = "tehran", _("تهران")
    CHAHARMAHAL = "chaharmahal", _("چهارمحال و بختیاری")
    KHORASAN_JONUBI = "khorasan_jonubi", _("خراسان جنوبی")
    KHORASAN_RAZAVI = "khorasan_razavi", _("خراسان رضوی")
    KHORASAN_SHOMALI = "khorasan_shomali", _("خراسان شمالی")
    KHUZESTAN = "khuzestan", _("خوزستان")
    ZANJAN = "zanjan", _("زنجان")
    SEMNAN = "semnan", _("سمنان")
    SISTAN = "sistan", _("سیستان و بلوچستان")
    FARS = "fars", _("فارس")
    QAZVIN = "qazvin", _("قزوین")
    QOM = "qom", _("قم")
    KORDESTAN = "kordestan", _("کردستان")
    KERMAN = "kerman", _("کرمان")
    KERMANSHAH = "kermanshah", _("کرمانشاه")
    KOHGILUYEH = "kohgiluyeh", _("کهگیلویه و بویراحمد")
    GOLESTAN = "golestan", _("گلستان")
    GILAN = "gilan", _("گیلان")
    LORESTAN = "lorestan", _("لرستان")
    MAZANDARAN = "mazandaran", _("مازندران")
    MARKAZI = "markazi", _("مرکزی")
    HORMOZGAN = "hormozgan", _("هرمزگان")
    HAMEDAN = "hamedan", _("همدان")
    YAZD = "yazd", _("یزد")
