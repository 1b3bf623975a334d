"""The four counter cards, in Japanese and English. Staff edit them in the admin afterwards;
running this again (or on a database that has them) changes nothing."""

from django.db import migrations

CARDS = [
    {
        "place": "city-hall",
        "order": 1,
        "title_ja": "転入届（住民登録）をしたいです",
        "title_en": "I would like to register my address",
        "purpose_ja": (
            "日本に来たばかりの英語指導助手（ALT）です。転入届を出して、住民登録をしたいです。\n"
            "国民健康保険・国民年金の手続きが必要かどうか、マイナンバーカードの申請方法も教えてください。\n"
            "日本語はあまり話せませんので、ゆっくり話していただけると助かります。"
        ),
        "purpose_en": (
            "I am an Assistant Language Teacher (ALT) who has just arrived in Japan. I would like to register my "
            "address (moving-in notification).\nPlease also tell me whether I need to join national health "
            "insurance and the national pension, and how to apply for a My Number card.\nI speak little "
            "Japanese: thank you for speaking slowly."
        ),
        "bring_ja": "在留カード\nパスポート\n住所がわかる書類（賃貸契約書など）\n印鑑（持っている場合）",
        "bring_en": "Residence card\nPassport\nA document with my address (lease or housing letter)\n"
        "Personal seal (hanko), if I have one",
    },
    {
        "place": "bank",
        "order": 2,
        "title_ja": "銀行口座を開きたいです",
        "title_en": "I would like to open a bank account",
        "purpose_ja": (
            "給与を受け取るための普通預金口座を開設したいです。キャッシュカードも作りたいです。\n"
            "英語指導助手（ALT）として働いています。"
        ),
        "purpose_en": (
            "I would like to open an ordinary savings account to receive my salary, with a cash card.\n"
            "I work as an Assistant Language Teacher (ALT)."
        ),
        "bring_ja": "在留カード（住所が記載されたもの）\nパスポート\n日本の電話番号\n勤務先がわかる書類\n"
        "印鑑（持っている場合）",
        "bring_en": "Residence card with my registered address\nPassport\nMy Japanese phone number\n"
        "A document showing my employer\nPersonal seal (hanko), if I have one",
    },
    {
        "place": "phone-shop",
        "order": 3,
        "title_ja": "携帯電話の契約をしたいです",
        "title_en": "I would like a mobile phone contract",
        "purpose_ja": (
            "スマートフォンの新規契約（SIMカード）をしたいです。\n"
            "料金は銀行口座振替かクレジットカードで支払います。できるだけシンプルなプランを希望します。"
        ),
        "purpose_en": (
            "I would like a new smartphone contract (a SIM card).\nI will pay by bank transfer or credit card. "
            "I would like a plan as simple as possible."
        ),
        "bring_ja": "在留カード（住所が記載されたもの）\nパスポート\nキャッシュカードまたはクレジットカード\n"
        "通帳（持っている場合）",
        "bring_en": "Residence card with my registered address\nPassport\nBank cash card or credit card\n"
        "Bank book, if I have one",
    },
    {
        "place": "doctor",
        "order": 4,
        "title_ja": "診察を受けたいです",
        "title_en": "I would like to see a doctor",
        "purpose_ja": (
            "診察をお願いします。症状はメモに書いてあります。\n英語が話せる先生がいらっしゃれば助かります。"
        ),
        "purpose_en": (
            "I would like to see a doctor. My symptoms are written on my note.\n"
            "It would help if a doctor who speaks English is available."
        ),
        "bring_ja": "健康保険証（またはマイナ保険証）\n在留カード\nお薬手帳・飲んでいる薬\n"
        "症状のメモ（いつから、どこが、どのように）",
        "bring_en": "Health insurance card (or My Number card)\nResidence card\nMy medicine or medicine notebook\n"
        "A note of my symptoms (since when, where, how)",
    },
]


def add_cards(apps, schema_editor):
    CounterCard = apps.get_model("support", "CounterCard")
    for card in CARDS:
        CounterCard.objects.get_or_create(place=card["place"], defaults=card)


class Migration(migrations.Migration):
    dependencies = [("support", "0004_grm_desk_oncall_visits_cards")]

    operations = [migrations.RunPython(add_cards, migrations.RunPython.noop)]
