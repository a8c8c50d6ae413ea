# ruff: noqa: RUF003  (typographic dashes in comments are meant)
"""The demo agency's fixed content: staff, tours, names, templates, conversation lines."""

from __future__ import annotations

from decimal import Decimal

# (email, password, name, role) — printed by seed_demo every time it runs.
STAFF = [
    ("admin@dreamland.kz", "dreamland-admin", "Арман Сейткали", "admin"),
    ("manager@dreamland.kz", "dreamland-manager", "Мадина Ахметова", "manager"),
    ("aigerim@dreamland.kz", "dreamland-agent", "Айгерим Жумабекова", "agent"),
    ("daniyar@dreamland.kz", "dreamland-agent", "Данияр Касымов", "agent"),
    ("olga@dreamland.kz", "dreamland-agent", "Ольга Петрова", "agent"),
]

# name, description, base price (KZT), capacity, duration (days), departures per month
TOURS: list[tuple[str, str, Decimal, int, int, int]] = [
    (
        "Charyn Canyon",
        "Day trip from Almaty to the 'little brother of the Grand Canyon': a walk through the "
        "Valley of Castles down to the Charyn river, picnic lunch by the water, back in Almaty "
        "by 21:00. 200 km each way on a comfortable minibus.",
        Decimal("25000"),
        18,
        1,
        4,
    ),
    (
        "Kolsai Lakes",
        "Two days in the Kungey Alatau: the first Kolsai lake, an optional hike to the second, "
        "the sunken forest of Kaindy, a night in a guest house in Saty village with dinner.",
        Decimal("65000"),
        16,
        2,
        3,
    ),
    (
        "Big Almaty Lake",
        "Half a day at the turquoise lake 2 511 m above sea level, 30 km from the city centre, "
        "with a stop at the observatory. Bring your passport: the lake is in a border zone.",
        Decimal("18000"),
        20,
        1,
        6,
    ),
    (
        "Altyn-Emel",
        "Two days in the national park: the Singing Dune, the Aktau chromatic mountains and the "
        "Katutau volcanic hills; kulans and goitered gazelles on the way. Park fees included.",
        Decimal("85000"),
        12,
        2,
        2,
    ),
    (
        "Turkestan",
        "Three days in the spiritual capital: the Mausoleum of Khoja Ahmed Yasawi (UNESCO), "
        "ancient Otrar and Sauran, the Arystan Bab mausoleum; night train from Almaty included.",
        Decimal("145000"),
        24,
        3,
        1,
    ),
    (
        "Altai",
        "Seven days in the Kazakh Altai: Lake Markakol, the Rakhmanov springs, views of Belukha, "
        "horse riding and banya. Flight Almaty–Ust-Kamenogorsk and jeeps included.",
        Decimal("420000"),
        10,
        7,
        1,
    ),
    (
        "Burabay",
        "Four days in the 'Kazakh Switzerland': Lake Borovoe, Okzhetpes rock, pine forests and "
        "the Abylai Khan glade; hotel on the lake shore, half board.",
        Decimal("160000"),
        20,
        4,
        1,
    ),
    (
        "Shymbulak",
        "A day in the mountains above Medeu: cable car to Talgar pass (3 200 m), skiing or a "
        "walk in summer, lunch with a view of the Zailiyskiy Alatau.",
        Decimal("22000"),
        25,
        1,
        4,
    ),
]

# Other names clients write for each tour (Russian, Kazakh, English; stems catch declensions).
TOUR_ALIASES: dict[str, str] = {
    "Charyn Canyon": "Charyn, Чарын, Чарынский каньон, Шарын",
    "Kolsai Lakes": "Kolsai, Kolsay, Кольсай, Кольса, Колсай, Көлсай",
    "Big Almaty Lake": "BAO, БАО, Большое Алматинское озеро, Үлкен Алматы көлі",
    "Altyn-Emel": "Altyn Emel, Алтын-Эмель, Алтын Эмель, Алтынемел, Поющий бархан",
    "Turkestan": "Туркестан, Түркістан, Yasawi, Ясави",
    "Altai": "Алтай, Markakol, Маркаколь",
    "Burabay": "Borovoe, Боровое, Бурабай",
    "Shymbulak": "Chimbulak, Шымбулак, Чимбулак",
}

KZ_PREFIXES = ["700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778"]

FIRST_NAMES_F = [
    "Айгерим",
    "Асель",
    "Динара",
    "Жанар",
    "Гульнара",
    "Сауле",
    "Мария",
    "Анна",
    "Елена",
    "Наталья",
    "Алия",
    "Камила",
    "Томирис",
    "Ольга",
    "Дана",
    "Айжан",
    "Ирина",
    "Madina",
    "Aruzhan",
    "Svetlana",
]
FIRST_NAMES_M = [
    "Ерлан",
    "Нурлан",
    "Асхат",
    "Данияр",
    "Бауыржан",
    "Тимур",
    "Алексей",
    "Сергей",
    "Дмитрий",
    "Арман",
    "Ержан",
    "Канат",
    "Руслан",
    "Андрей",
    "Марат",
    "Алибек",
    "Yerlan",
    "Dmitry",
    "Nursultan",
    "Michael",
]
LAST_NAMES = [
    ("Абдрахманов", "Абдрахманова"),
    ("Жумабеков", "Жумабекова"),
    ("Сулейменов", "Сулейменова"),
    ("Нурланов", "Нурланова"),
    ("Касымов", "Касымова"),
    ("Иванов", "Иванова"),
    ("Петров", "Петрова"),
    ("Смагулов", "Смагулова"),
    ("Ахметов", "Ахметова"),
    ("Кузнецов", "Кузнецова"),
    ("Оспанов", "Оспанова"),
    ("Ким", "Ким"),
    ("Тен", "Тен"),
    ("Бекова", "Бекова"),
    ("Исмаилов", "Исмаилова"),
    ("Волков", "Волкова"),
]

INBOUND_RU = [
    "Здравствуйте! Сколько стоит тур {tour}?",
    "Добрый день, есть места на ближайшую дату?",
    "Нас будет {n} человек, можно скидку?",
    "Что входит в стоимость?",
    "Во сколько выезд и откуда?",
    "Можно оплатить частями через Kaspi?",
    "Спасибо, бронируем!",
    "Скиньте, пожалуйста, программу тура",
]
INBOUND_EN = [
    "Hi! How much is the {tour} tour?",
    "Hello, are there seats on the next departure?",
    "We are {n} people, is there a group discount?",
    "What is included in the price?",
    "Where do we meet and at what time?",
    "Can I pay part now and the rest later?",
    "Great, please book us!",
]
OUTBOUND_RU = [
    "Здравствуйте! Тур {tour} — {price} ₸ с человека, выезд по субботам.",
    "Да, места есть. На сколько человек бронируем?",
    "В стоимость входят трансфер, гид, обед и входные билеты.",
    "Выезд в 7:00 от ТРЦ Esentai Mall.",
    "Можно внести предоплату 30%, остаток — за 3 дня до выезда.",
]
OUTBOUND_EN = [
    "Hello! The {tour} tour is {price} KZT per person, departures on Saturdays.",
    "Yes, we have seats. How many people should I book?",
    "Transfer, guide, lunch and park fees are included.",
    "We leave at 7:00 from Esentai Mall.",
    "A 30% deposit holds the seats; the rest is due 3 days before departure.",
]

# name, language, category, content, variables
TEMPLATES: list[tuple[str, str, str, str, list[str]]] = [
    (
        "welcome",
        "ru",
        "MARKETING",
        "Здравствуйте, {{1}}! Это Dreamland. Подобрать вам тур по Казахстану?",
        ["customer_name"],
    ),
    (
        "welcome",
        "en",
        "MARKETING",
        "Hello {{1}}! This is Dreamland. Shall we find you a tour in Kazakhstan?",
        ["customer_name"],
    ),
    (
        "booking_confirmation",
        "ru",
        "UTILITY",
        "{{1}}, ваша бронь подтверждена: {{2}}, {{3}}, участников: {{4}}. Сумма: {{5}}.",
        ["customer_name", "tour", "departure_date", "participants", "total"],
    ),
    (
        "booking_confirmation",
        "en",
        "UTILITY",
        "{{1}}, your booking is confirmed: {{2}} on {{3}} for {{4}} people. Total: {{5}}.",
        ["customer_name", "tour", "departure_date", "participants", "total"],
    ),
    (
        "payment_reminder",
        "ru",
        "UTILITY",
        "{{1}}, напоминаем: к оплате за тур {{2}} осталось {{3}} до {{4}}.",
        ["customer_name", "tour", "balance_due", "due_date"],
    ),
    (
        "payment_reminder",
        "en",
        "UTILITY",
        "{{1}}, a reminder: {{3}} is still due for {{2}} by {{4}}.",
        ["customer_name", "tour", "balance_due", "due_date"],
    ),
    (
        "tour_reminder",
        "ru",
        "UTILITY",
        "{{1}}, завтра тур {{2}}! Сбор в {{3}}. Возьмите удобную обувь и документы.",
        ["customer_name", "tour", "meeting_point"],
    ),
    (
        "tour_reminder",
        "en",
        "UTILITY",
        "{{1}}, your {{2}} tour is tomorrow! Meet at {{3}}. Comfortable shoes and ID, please.",
        ["customer_name", "tour", "meeting_point"],
    ),
    (
        "seasonal_offer",
        "ru",
        "MARKETING",
        "{{1}}, новый сезон: {{2}} со скидкой {{3}}% до конца месяца.",
        ["customer_name", "tour", "discount"],
    ),
    (
        "seasonal_offer",
        "en",
        "MARKETING",
        "{{1}}, new season: {{2}} with {{3}}% off until the end of the month.",
        ["customer_name", "tour", "discount"],
    ),
]

# Roughly the 2024–2026 tenge rates; seed_demo wobbles them a little by date.
BASE_RATES = {"USD": Decimal("500"), "EUR": Decimal("545"), "RUB": Decimal("5.6")}

MARIA_PHONE = "+77012345670"
