"""The pre-departure course loaded by `seed_demo`: English, with Japanese where it helps.

Plain data so that content people can read and change it without the code.
Each task: (kind, title_en, title_ja, body_en, body_ja, extra). Quiz questions:
(kind, text_en, text_ja, explanation_en, [(choice_en, choice_ja, correct), ...]); a quiz's extra may set
questions_per_attempt (a pool: each attempt draws that many).
"""

COURSE = {
    "code": "pre-departure",
    "title_en": "Before you fly: the ALT pre-departure course",
    "title_ja": "出発前研修：ALTのための事前学習",
    "summary_en": (
        "Five short modules on life in Japan, school culture and your role, your first days, "
        "health and well-being, and orientation. About two hours in all; finish by the day before you fly."
    ),
    "summary_ja": (
        "日本での生活、学校文化とALTの役割、到着後の手続き、健康とウェルビーイング、オリエンテーションについての"
        "5つの短いモジュールです。所要時間は合計約2時間、出発の前日までに修了してください。"
    ),
}

FIRST_DAYS_QUIZ = [
    (
        "SINGLE",
        "Within how many days of moving in must you register your address at city hall?",
        "転入後、何日以内に市区町村役場で住所を登録する必要がありますか。",
        "The law gives you 14 days from the day you move in.",
        [("7 days", "7日", False), ("14 days", "14日", True), ("30 days", "30日", False), ("90 days", "90日", False)],
    ),
    (
        "MULTIPLE",
        "Which of these do you usually need to open a bank account? Choose all that apply.",
        "銀行口座を開設するときに通常必要なものはどれですか。当てはまるものをすべて選んでください。",
        "Banks check your residence card (with your registered address), your passport and a Japanese phone number.",
        [
            ("Residence card with your registered address", "住所が記載された在留カード", True),
            ("A Japanese phone number", "日本の電話番号", True),
            ("Your university diploma", "大学の卒業証書", False),
            ("Passport", "パスポート", True),
        ],
    ),
    (
        "SINGLE",
        "When must you carry your residence card?",
        "在留カードはいつ携帯する必要がありますか。",
        "Foreign residents must carry the card at all times and show it to the police when asked.",
        [
            ("Only when travelling outside your city", "市外に出かけるときだけ", False),
            ("At all times", "常に", True),
            ("Only at city hall", "役所に行くときだけ", False),
        ],
    ),
]

FINAL_QUIZ = [
    (
        "SINGLE",
        "A student is injured in class and needs an ambulance. Which number do you call?",
        "授業中に生徒がけがをして救急車が必要です。何番に電話しますか。",
        "119 is for ambulance and fire; 110 is for the police. Then tell the school office and your branch.",
        [("110", "110", False), ("119", "119", True), ("911", "911", False)],
    ),
    (
        "SINGLE",
        "Who is your first contact for questions about work or life in Japan?",
        "仕事や日本での生活について、最初に相談する相手は誰ですか。",
        "Your Managing Consultant (MC) at your branch. The support team page lists everyone.",
        [
            ("The school principal", "学校の校長", False),
            ("Your Managing Consultant", "マネージングコンサルタント（MC）", True),
            ("The embassy", "大使館", False),
        ],
    ),
    (
        "MULTIPLE",
        "Which of these are part of an ALT's role? Choose all that apply.",
        "ALTの役割に含まれるものはどれですか。当てはまるものをすべて選んでください。",
        "ALTs assist the Japanese teacher of English and bring real English into the class; "
        "grading and discipline stay with the school.",
        [
            ("Team-teaching with the Japanese teacher of English", "日本人英語教師とのティームティーチング", True),
            ("Preparing activities and materials", "活動や教材の準備", True),
            ("Setting students' final grades", "生徒の成績の決定", False),
            ("Taking part in school life, such as lunch and events", "給食や行事など学校生活への参加", True),
        ],
    ),
    (
        "SINGLE",
        "An earthquake alert sounds on your phone during class. What do you do first?",
        "授業中にスマートフォンの緊急地震速報が鳴りました。まず何をしますか。",
        "Protect yourself and help the students do the same (under the desks), then follow the school's plan.",
        [
            ("Leave the building at once", "すぐに建物の外へ出る", False),
            ("Get under a desk and protect your head", "机の下にもぐって頭を守る", True),
            ("Call your branch", "支店に電話する", False),
        ],
    ),
    (
        "SINGLE",
        "You wake up with a fever on a school day. What do you do?",
        "学校のある日に熱が出ました。どうしますか。",
        "Tell the school and your branch before classes start; your MC can help you find a doctor.",
        [
            ("Go to school anyway", "無理をして出勤する", False),
            ("Tell the school and your branch before classes start", "始業前に学校と支店へ連絡する", True),
            ("Stay home and tell nobody", "誰にも連絡せずに休む", False),
        ],
    ),
]

MODULES = [
    {
        "title_en": "Life in Japan",
        "title_ja": "日本での生活",
        "tasks": [
            (
                "READING",
                "Everyday life: money, trains and rubbish",
                "日常生活：お金・電車・ごみ",
                "Cash is still common in Japan, especially in small shops and rural towns: keep some yen with you. "
                "Convenience stores have ATMs that take foreign cards.\n\n"
                "Trains and buses run to the minute. Rechargeable IC cards (such as Suica or ICOCA) work on most "
                "lines and in many shops. Talking on the phone is avoided on trains.\n\n"
                "Rubbish is sorted: burnable, non-burnable, plastic, cans and bottles, paper. Each town has its own "
                "calendar and collection points; ask your neighbours or your branch for the local rules, and put "
                "rubbish out on the morning of its day only.",
                "日本では、特に小さな店や地方では現金がまだよく使われます。円を持ち歩きましょう。"
                "コンビニのATMでは海外のカードが使えます。\n\n"
                "電車やバスは時間どおりに運行します。SuicaやICOCAなどのICカードはほとんどの路線や多くの店で"
                "使えます。車内での通話は控えましょう。\n\n"
                "ごみは「燃えるごみ」「燃えないごみ」「プラスチック」「缶・びん」「紙」などに分別します。"
                "地域ごとに収集日と場所が決まっているので、近所の人や支店に確認し、収集日の朝に出しましょう。",
            ),
            (
                "READING",
                "Earthquakes and typhoons",
                "地震と台風",
                "Japan has many small earthquakes. If the ground shakes: drop, cover and hold on under a table, "
                "away from windows. Do not run outside while it shakes.\n\n"
                "Find your local evacuation area (hinanjo) in your first week; your town's website and the signs "
                "near your home show it. Keep water, a torch and a charged phone battery at home.\n\n"
                "In typhoon season (summer to autumn) schools may close. Follow your school's and your branch's "
                "instructions, and let your branch know you are safe after a large earthquake.",
                "日本では小さな地震がよく起こります。揺れたら、窓から離れて机の下で身を守りましょう。"
                "揺れている間は外に飛び出さないでください。\n\n"
                "最初の1週間で近くの避難所を確認しましょう。水、懐中電灯、充電したモバイルバッテリーを用意しておくと"
                "安心です。\n\n"
                "台風の季節（夏から秋）には休校になることがあります。学校と支店の指示に従い、大きな地震の後は"
                "支店に無事を知らせてください。",
            ),
            (
                "VIDEO",
                "Watch: a first lesson in everyday Japanese",
                "動画：日常の日本語 はじめの一歩",
                "A few words go a long way: ohayō gozaimasu (good morning), yoroshiku onegaishimasu "
                "(pleased to work with you), sumimasen (excuse me / sorry), arigatō gozaimasu (thank you). "
                "Watch the first lesson of NHK World's free Japanese course and practise the greetings.",
                "「おはようございます」「よろしくお願いします」「すみません」「ありがとうございます」など、"
                "あいさつの言葉を覚えておくと役に立ちます。NHKワールドの無料日本語講座の第1課を見て、"
                "あいさつを練習しましょう。",
                {"video_url": "https://www3.nhk.or.jp/nhkworld/en/learnjapanese/"},
            ),
        ],
    },
    {
        "title_en": "School culture and your role as an ALT",
        "title_ja": "学校文化とALTの役割",
        "tasks": [
            (
                "READING",
                "Your role in the classroom",
                "教室でのあなたの役割",
                "As an Assistant Language Teacher you team-teach with the Japanese teacher of English (JTE). The JTE "
                "leads the class and is responsible for the curriculum, grades and discipline; you bring natural "
                "English, games and activities, and a window onto the wider world.\n\n"
                "Plan with your JTE before each lesson, even briefly: what is the goal, what will you do, how long "
                "does it take. Be ready to adapt: plans change at short notice in Japanese schools.\n\n"
                "Outside lessons, take part in school life: eat lunch with students when invited, join cleaning "
                "time and school events. This is where students practise English with you most freely.",
                "ALTは日本人英語教師（JTE）とティームティーチングを行います。授業の進行、カリキュラム、評価、"
                "生活指導はJTEが担当し、ALTは自然な英語、ゲームや活動、そして世界への窓を生徒に届けます。\n\n"
                "授業の前には短くてもJTEと打ち合わせをしましょう。学校では予定が急に変わることもあるので、"
                "柔軟に対応しましょう。\n\n"
                "授業以外でも、給食、掃除の時間、学校行事などに参加しましょう。",
            ),
            (
                "READING",
                "The staff room and school customs",
                "職員室と学校の習慣",
                "Arrive a little early; the day often starts with a short staff meeting (chōrei). Greet colleagues "
                "with ohayō gozaimasu when you arrive and otsukaresama desu when you leave.\n\n"
                "You will change into indoor shoes at the entrance. Dress is smart and modest; tattoos are usually "
                "covered. Ask before using school equipment, and tell the vice-principal (kyōtō) if you must leave "
                "early or are unwell: they manage the staff room.\n\n"
                "If you are absent, call the school and your branch before the school day starts.",
                "少し早めに出勤しましょう。1日は朝礼から始まることが多いです。出勤時は「おはようございます」、"
                "退勤時は「お疲れさまです」とあいさつします。\n\n"
                "玄関で上履きに履き替えます。服装は清潔で控えめに。早退や体調不良のときは教頭先生に伝えましょう。\n\n"
                "欠勤するときは、始業前に学校と支店の両方に電話してください。",
            ),
            (
                "ACKNOWLEDGEMENT",
                "Professional conduct",
                "職業人としての行動規範",
                "I will be on time, dress appropriately, keep students' personal information private, never share "
                "photos of students online, and tell my branch at once about anything that worries me at school.",
                "時間を守り、ふさわしい服装をし、生徒の個人情報を守り、生徒の写真をSNSなどに載せず、学校で"
                "気になることがあればすぐに支店に伝えます。",
            ),
        ],
    },
    {
        "title_en": "Your first days: residence card, city hall, phone, bank",
        "title_ja": "到着後の手続き：在留カード・役所・携帯電話・銀行",
        "tasks": [
            (
                "READING",
                "Residence card and city hall",
                "在留カードと役所での手続き",
                "You receive your residence card (zairyū kādo) at the airport. Carry it at all times.\n\n"
                "Within 14 days of moving in, take it to your city or ward office to register your address. "
                "At the same visit you usually join national health insurance (kokumin kenkō hoken) and the "
                "pension system, and apply for your My Number card. Bring your passport and residence card.\n\n"
                "Your branch will tell you where the office is and can go with you if you need help: use "
                "'Ask my branch for help' on your arrival checklist.",
                "在留カードは空港で受け取ります。常に携帯してください。\n\n"
                "転入から14日以内に市区町村の役所で住所を届け出ます。多くの場合、同じ日に国民健康保険と年金に"
                "加入し、マイナンバーカードを申請します。パスポートと在留カードを持参してください。\n\n"
                "場所がわからないときや付き添いが必要なときは、到着後チェックリストの「支店に相談する」から"
                "支店に依頼できます。",
            ),
            (
                "READING",
                "Mobile phone and bank account",
                "携帯電話と銀行口座",
                "Once your address is on your residence card, you can get a phone contract and open a bank account. "
                "Many banks want a Japanese phone number first, so the phone usually comes before the bank.\n\n"
                "Bring your residence card, passport and, for the bank, your employment details from your branch. "
                "Your salary is paid into this account, so give the details to your branch as soon as it is open.",
                "在留カードに住所が記載されたら、携帯電話の契約と銀行口座の開設ができます。銀行では日本の電話番号が"
                "必要なことが多いので、通常は携帯電話を先に用意します。\n\n"
                "在留カード、パスポート、（銀行では）支店から受け取る雇用情報を持参してください。給与はこの口座に"
                "振り込まれるので、開設したらすぐに支店に口座情報を伝えましょう。",
            ),
            ("QUIZ", "Check: your first days", "確認テスト：到着後の手続き", "", "", {"questions": FIRST_DAYS_QUIZ}),
        ],
    },
    {
        "title_en": "Health and well-being",
        "title_ja": "健康とウェルビーイング",
        "tasks": [
            (
                "READING",
                "Seeing a doctor, and emergencies",
                "病院のかかり方と緊急時の対応",
                "With your health insurance card you pay 30% of most medical costs. For everyday illness, go to a "
                "local clinic (kurinikku) rather than a large hospital; bring your insurance card and some cash.\n\n"
                "Emergencies: 119 for an ambulance or fire, 110 for the police. Your branch's emergency number, "
                "on your support team page, works day and night.\n\n"
                "If you take regular medicine, check before you fly that it may be brought into Japan.",
                "健康保険証があれば、医療費の多くは3割負担になります。普段の病気は大病院ではなく近くの"
                "クリニックへ。保険証と現金を持って行きましょう。\n\n"
                "緊急時：救急車・火事は119、警察は110。支店の緊急連絡先はサポートチームのページにあり、"
                "24時間つながります。\n\n"
                "常用している薬がある場合は、日本に持ち込めるか出発前に確認してください。",
            ),
            (
                "READING",
                "Culture shock, and someone to talk to",
                "カルチャーショックと相談窓口",
                "Most people feel a dip a few weeks or months after arrival: tiredness, homesickness, irritation at "
                "small things. It is normal, and it passes. Keep a routine, sleep, eat well, and stay in touch with "
                "people at home and other ALTs.\n\n"
                "You are not alone. The portal's free and confidential phone counselling line is open every day, in "
                "English and other languages: see the well-being page at /contacts/wellbeing/ (the link is at the "
                "bottom of every page). Your MC is there for you too.",
                "到着から数週間から数か月後に、疲れやホームシック、小さなことへのいら立ちを感じることがあります。"
                "これは自然なことで、やがて落ち着きます。生活のリズムを保ち、よく眠り、家族や他のALTとの"
                "つながりを大切にしましょう。\n\n"
                "一人で悩まないでください。無料・秘密厳守の電話相談窓口は毎日、英語などで利用できます。"
                "ウェルビーイングのページ（/contacts/wellbeing/、各ページの下にリンクがあります）をご覧ください。"
                "MCもいつでも相談に乗ります。",
            ),
            (
                "ACKNOWLEDGEMENT",
                "I know where to find help",
                "相談先を確認しました",
                "I know the emergency numbers (119, 110), where my branch's emergency number is, and where to find "
                "the free counselling line.",
                "緊急番号（119・110）、支店の緊急連絡先の場所、無料の電話相談窓口の場所を確認しました。",
            ),
        ],
    },
    {
        "title_en": "What to expect at orientation",
        "title_ja": "オリエンテーションについて",
        "tasks": [
            (
                "READING",
                "Initial orientation",
                "初期オリエンテーション",
                "Soon after arrival you attend initial orientation, run by our national training team (SESPS). "
                "There are two tracks: the flagship orientation in Tokyo and an alternate track for those arriving "
                "at other times. Sign up on the Training page once you are in Japan.\n\n"
                "Expect two to three days of workshops: lesson planning, team-teaching, classroom English, school "
                "life, and practical matters such as pay and holidays. You will teach a short demo lesson.\n\n"
                "Bring a notebook and pen, your residence card, and the certificate of this course.",
                "到着後まもなく、全国研修チーム（SESPS）による初期オリエンテーションに参加します。東京での"
                "フラッグシップと、別の時期に到着する人のためのオルタネートの2つのトラックがあります。"
                "来日後、研修ページから申し込んでください。\n\n"
                "2〜3日間のワークショップで、授業計画、ティームティーチング、教室英語、学校生活、給与や休暇などを"
                "学び、短い模擬授業も行います。\n\n"
                "ノートと筆記用具、在留カード、この研修の修了証を持参してください。",
            ),
            # Each attempt draws three of the five questions.
            ("QUIZ", "Final check", "最終確認テスト", "", "", {"questions": FINAL_QUIZ, "questions_per_attempt": 3}),
        ],
    },
]
