"""Every labour-market event in the five seed articles can be coded with the default codebook.

The table EVENTS below is the reference coding of the built-in corpus, written for review by a
methodologist. Each row is one event:

    (document id, event type, trigger, Modality, [(role, entity type, span), ...])

Document ids follow seeds/metadata.json (1 = English Meta article, 2-5 = see the headers below).
A trigger or span is written as a distinctive piece of the article with the coded text between
⟦ and ⟧ ("In May, ⟦Meta⟧ laid off" codes "Meta"); the whole piece must occur exactly once in the
stored text, so every span is found by searching, never by a hard-coded offset. The same span
used in several rows is one mention, as a coder would tag it once and reuse it.

The coding follows the rules at the top of resources/default_codebook.yaml (one event per
occurrence; one event per separately counted group; Arabic prefixes outside spans). Coding runs
through the real annotation services, so a missing event type or role, a role that does not
accept the entity type, or a single-mention role given two mentions fails the test.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import select

from app.core import paths
from app.core.errors import AnnotaryError
from app.core.models import (
    Attribute,
    Document,
    DocumentCode,
    DocumentCodeValue,
    EntityType,
    Event,
    EventArgument,
    EventAttributeValue,
    EventRole,
    EventType,
    Mention,
)
from app.core.services.annotations import (
    add_argument,
    create_event,
    create_mention,
    set_document_code,
    set_event_attribute,
)
from app.core.services.coders import get_or_create_coder

CODER = "seed-coverage"
OPEN, CLOSE = "⟦", "⟧"

# ---------------------------------------------------------------------------------------------
# The reference coding
# ---------------------------------------------------------------------------------------------

EVENTS = [
    # === 1 (en) Meta reverses decision to reassign employees to AI training roles ==============
    (1, "Policy reversal", "Meta ⟦is reversing⟧ its decision", "asserted", [
        ("Actor", "Organization", "⟦Meta⟧ is reversing its decision"),
        ("Affected", "Worker group", "sent to ⟦employees⟧ who had been"),
        ("Count", "Quantity", "reassign ⟦7,000 employees⟧"),
        ("Date", "Date", "⟦one month after those plans were announced⟧"),
        ("Source", "Information source", "an ⟦internal memo⟧ obtained by"),
        ("Source", "Organization", "obtained by ⟦Business Insider⟧"),
        ("Source", "Organization", "shared with ⟦Fast Company⟧"),
        ("Source", "Information source", "from ⟦sources close to the company⟧"),
    ]),
    # The reassignment itself: it was announced, then undone by the reversal above.
    (1, "Reassignment", "decision to ⟦reassign⟧ 7,000", "reversed", [
        ("Actor", "Organization", "⟦Meta⟧ is reversing its decision"),
        ("Affected", "Worker group", "sent to ⟦employees⟧ who had been"),
        ("Count", "Quantity", "reassign ⟦7,000 employees⟧"),
        ("Destination", "Team/Unit", "to ⟦different AI-focused units⟧"),
        ("Destination", "Team/Unit", "like the ⟦Applied AI (AAI) task force⟧"),
        ("Destination", "Job title", "HomeStrategyMeta reverses decision to reassign employees to ⟦AI training roles⟧"),
        ("Source", "Organization", "AAI task force, ⟦Business Insider⟧ reported"),
    ]),
    (1, "Layoff", "Meta ⟦laid off⟧ 10%", "asserted", [
        ("Actor", "Organization", "In May, ⟦Meta⟧ laid off"),
        ("Affected", "Worker group", "10% of ⟦its workforce⟧"),
        ("Share", "Percentage", "laid off ⟦10%⟧"),
        ("Date", "Date", "In ⟦May⟧, Meta"),
    ]),
    (1, "Policy reversal", "the company ⟦paused⟧ tracking", "asserted", [
        ("Actor", "Organization", "Just this week, ⟦the company⟧ paused"),
        ("Policy", "Policy/Program", "paused ⟦tracking employee keystrokes⟧"),
        ("Date", "Date", "⟦Just this week⟧, the company"),
    ]),
    (1, "Policy reversal", "von Ahn ⟦backtracked⟧", "asserted", [
        ("Actor", "Organization", "⟦Duolingo⟧ CEO"),
        ("Actor", "Person", "CEO ⟦Luis von Ahn⟧"),
        ("Policy", "Policy/Program", "the company’s ⟦“AI-first” policy⟧"),
        ("Policy", "Policy/Program", "reversed ⟦requirements to evaluate employees based on their AI use⟧"),
    ]),
    (1, "Policy reversal", "Amazon ⟦shut down⟧ its AI leaderboard", "asserted", [
        ("Actor", "Organization", "This week, ⟦Amazon⟧"),
        ("Affected", "Worker group", "telling ⟦staffers⟧"),
        ("Policy", "Policy/Program", "its ⟦AI leaderboard⟧ tracking"),
        ("Date", "Date", "⟦This week⟧, Amazon"),
    ]),
    (1, "Workplace policy", "Uber ⟦capped⟧", "asserted", [
        ("Actor", "Organization", "⟦Uber⟧ capped"),
        ("Affected", "Worker group", "capped its ⟦employees⟧’ monthly"),
        ("Policy", "Policy/Program", "employees’ ⟦monthly AI spend⟧"),
    ]),
    (1, "Workplace policy", "Microsoft ⟦canceled⟧ its Claude Code", "asserted", [
        ("Actor", "Organization", "and ⟦Microsoft⟧ canceled"),
        ("Policy", "AI model/product", "its ⟦Claude Code⟧ licenses"),
    ]),
    (1, "Hiring/Poaching offer", "have also recently ⟦rehired⟧", "asserted", [
        ("Actor", "Organization", "⟦Some companies across varying sectors⟧"),
        ("Affected", "Job title", "rehired for ⟦positions⟧ they eliminated"),
        ("Date", "Date", "have also ⟦recently⟧ rehired"),
    ]),
    (1, "Layoff", "positions they ⟦eliminated⟧ due to AI", "asserted", [
        ("Actor", "Organization", "⟦Some companies across varying sectors⟧"),
        ("Affected", "Job title", "rehired for ⟦positions⟧ they eliminated"),
    ]),

    # === 2 (ar) Meta's Superintelligence Drive Sparks Internal Rifts and Talent Exodus =========
    # Meta launches the "personal superintelligence" initiative.
    (2, "Restructuring", "بعد ⟦إطلاقها⟧ مبادرة", "asserted", [
        ("Actor", "Organization", "في ⟦ميتا⟧ بعد إطلاقها"),
        ("Destination", "AI model/product", 'مبادرة "⟦الذكاء الفائق الشخصي⟧"'),
    ]),
    # A new central team, Superintelligence Labs (MSL), with the elite "TBD Lab" inside it.
    (2, "Restructuring", "عندما ⟦تم تعيين⟧ فريق جديد", "reported", [
        ("Actor", "Organization", "في ⟦ميتا⟧ بعد إطلاقها"),
        ("Affected", "Team/Unit", "بعض الباحثين في ⟦فريق GenAI⟧"),
        ("Destination", "Team/Unit", 'يُعرف بـ"⟦مختبر الذكاء الفائق⟧"'),
        ("Destination", "Team/Unit", 'تُعرف بـ"⟦مختبر TBD⟧"'),
        ("Source", "Information source", "وبحسب ⟦مصادر حالية وسابقة⟧"),
    ]),
    # MSL staffed with outside researchers at 10-50x pay = the mass hiring from rivals (one event).
    (2, "Hiring/Poaching offer", "⟦التوظيف الجماعي⟧ للخبراء", "reported", [
        ("Actor", "Organization", "في ⟦ميتا⟧ بعد إطلاقها"),
        ("Affected", "Worker group", "يضم ⟦باحثين من خارج الشركة⟧"),
        ("Affected", "Worker group", "التوظيف الجماعي لل⟦خبراء⟧ من منافسين"),
        ("Affected", "Person", "مثل ⟦شنغجيا جو⟧،"),
        ("Target organization", "Organization", "من منافسين مثل ⟦OpenAI⟧"),
        ("Destination", "Team/Unit", 'يُعرف بـ"⟦مختبر الذكاء الفائق⟧"'),
        ("Money", "Money", "تصل إلى ⟦10 إلى 50 مرة أكثر من المعدلات الحالية⟧"),
        ("Source", "Information source", "وبحسب ⟦مصادر حالية وسابقة⟧"),
        ("Source", "Information source", "ووصف ⟦أحد الباحثين السابقين⟧"),
    ]),
    (2, "Departure", "⟦يهددون بالاستقالة⟧", "planned", [
        ("Affected", "Worker group", "إلى أن ⟦بعض الباحثين⟧ يهددون"),
        ("Origin", "Organization", "رغم أن ⟦ميتا⟧ أوضحت"),
        ("Destination", "Team/Unit", "لوظيفة في ⟦MSL⟧"),
        ("Source", "Information source", "وأشارت ⟦مصادر⟧ إلى أن"),
    ]),
    (2, "Hiring/Poaching offer", "أو ⟦تفاوض على التوظيف الداخلي⟧", "denied", [
        ("Actor", "Organization", "رغم أن ⟦ميتا⟧ أوضحت"),
        ("Destination", "Team/Unit", "لوظيفة في ⟦MSL⟧"),
        ("Source", "Organization", "رغم أن ⟦ميتا⟧ أوضحت"),
    ]),
    (2, "Hiring/Poaching offer", "و⟦تنمو⟧ فرق الهندسة", "reported", [
        ("Actor", "Organization", "تمتلك ⟦ميتا⟧ أفضل"),
        ("Destination", "Team/Unit", "وتنمو ⟦فرق الهندسة⟧"),
        ("Source", "Organization", "الجريء ⟦SignalFire⟧"),
    ]),
    (2, "Departure", "⟦غادر⟧ الباحث البارز", "asserted", [
        ("Affected", "Person", "البارز ⟦لورينس فان دير مايتن⟧"),
        ("Origin", "Organization", "الذي كان يعمل في ⟦ميتا⟧، إلى"),
        ("Destination", "Organization", "إلى شركة ⟦Anthropic⟧"),
        ("Date", "Date", "في ⟦يونيو⟧"),
    ]),
    # The talent exodus of the headline; "مغادرة بعض الموظفين" at the end is the same departures.
    (2, "Departure", "Talent ⟦Exodus⟧", "asserted", [
        ("Affected", "Worker group", "⟦Talent⟧ Exodus"),
        ("Affected", "Worker group", "مغادرة ⟦بعض الموظفين⟧"),
        ("Origin", "Organization", "⟦Meta⟧’s Superintelligence"),
    ]),
    (2, "Restructuring", "⟦إعادة هيكلة⟧ فرق GenAI", "planned", [
        ("Affected", "Team/Unit", "إعادة هيكلة ⟦فرق GenAI⟧"),
        ("Source", "Information source", "⟦بعض مسؤولي الذكاء الاصطناعي في ميتا⟧"),
    ]),

    # === 3 (hi) Where Zuckerberg invested crores, that company is laying off employees ==========
    (3, "Investment/Acquisition", "$14.3 बिलियन ⟦निवेश⟧", "asserted", [
        ("Actor", "Organization", "जो ⟦Meta⟧ के $14.3"),
        ("Actor", "Person", "जहाँ ⟦Zuckerberg⟧ ने"),
        ("Affected", "Organization", "⟦Scale AI⟧ ने इस हफ्ते"),
        ("Money", "Money", "⟦$14.3 बिलियन⟧"),
        ("Money", "Money", "लगाया ⟦करोड़ों⟧ का निवेश"),
    ]),
    # The Dallas contractor team (NPO) let go; the spokesperson's "small part of our workforce".
    (3, "Layoff", "टीम को ⟦हटा दिया⟧ है", "asserted", [
        ("Actor", "Organization", "⟦Scale AI⟧ ने इस हफ्ते"),
        ("Affected", "Team/Unit", "⟦कॉन्ट्रैक्टरों की एक पूरी टीम⟧"),
        ("Affected", "Team/Unit", "या ⟦न्यू प्रोजेक्ट्स ऑर्गेनाइजेशन⟧"),
        ("Count", "Quantity", "⟦दर्जन से ज्यादा मेंबर्स⟧"),
        ("Share", "Percentage", "⟦हमारे कुल वर्कफोर्स के एक छोटे हिस्से⟧"),
        ("Date", "Date", "⟦इस हफ्ते⟧ अपने"),
        ("Location", "Location", "अपने ⟦Dallas⟧ ऑफिस"),
        ("Source", "Organization", "⟦बिजनेस इंसाइडर⟧ के मुताबिक"),
        ("Source", "Person", "प्रवक्ता ⟦नतालिया मोंटाल्वो⟧"),
    ]),
    # The restructuring it is part of: onsite programme ended, shift to expert data work.
    (3, "Restructuring", "ताजा ⟦री-स्ट्रक्चरिंग⟧", "asserted", [
        ("Actor", "Organization", "⟦Scale AI⟧ ने इस हफ्ते"),
        ("Affected", "Policy/Program", "⟦एक छोटे एक्सपेरिमेंटल ऑनसाइट प्रोग्राम⟧"),
        ("Destination", "Business area", "⟦हाई-स्किल, एक्सपर्ट डेटा वर्क⟧"),
        ("Destination", "Policy/Program", "⟦एक्सपर्ट-लेवल प्रोग्राम्स⟧"),
        ("Location", "Location", "Scale ने ⟦Dallas⟧ में"),
        ("Source", "Organization", "⟦बिजनेस इंसाइडर⟧ के मुताबिक"),
        ("Source", "Person", "प्रवक्ता ⟦नतालिया मोंटाल्वो⟧"),
    ]),
    (3, "Compensation", "कवरेज ⟦दी है⟧", "reported", [
        ("Actor", "Organization", "मुताबिक, ⟦कंपनी⟧ ने लेऑफ"),
        ("Affected", "Worker group", "⟦लेऑफ कर्मचारियों⟧"),
        ("Money", "Money", "⟦चार हफ्ते का सेवरेंस पे⟧"),
        ("Benefit", "Policy/Program", "⟦हेल्थकेयर कवरेज⟧"),
        ("Date", "Date", "⟦अक्टूबर तक⟧"),
        ("Source", "Organization", "⟦HireArt⟧ नाम की"),
        ("Source", "Information source", "एजेंसी के ⟦ईमेल⟧"),
    ]),
    (3, "Hiring/Poaching offer", "⟦जुड़ने का भी मौका⟧", "reported", [
        ("Actor", "Organization", "⟦Scale⟧ के गिग-वर्क"),
        ("Affected", "Worker group", "⟦निकाले गए कर्मचारियों⟧"),
        ("Destination", "AI model/product", "प्लेटफॉर्म ⟦Outlier⟧"),
        ("Source", "Organization", "⟦HireArt⟧ नाम की"),
        ("Source", "Information source", "एजेंसी के ⟦ईमेल⟧"),
    ]),
    (3, "Layoff", "टीम ⟦कम करते हुए⟧", "asserted", [
        ("Actor", "Organization", "कंपनी ⟦xAI⟧"),
        ("Affected", "Team/Unit", "⟦जनरलिस्ट AI ट्यूटर्स की टीम⟧"),
        ("Date", "Date", "ने भी ⟦सितंबर⟧ में"),
    ]),
    # xAI's purpose ("so that focus on expert training can grow") is an intended refocus.
    (3, "Restructuring", "पर ⟦फोकस बढ़ाया⟧ जा सके", "planned", [
        ("Actor", "Organization", "कंपनी ⟦xAI⟧"),
        ("Destination", "Business area", "⟦एक्सपर्ट-फोकस्ड ट्रेनिंग⟧"),
        ("Date", "Date", "ने भी ⟦सितंबर⟧ में"),
    ]),
    # "Related Posts" teaser below the article (page furniture, see the codebook's coding rules):
    # not part of the article, but a labour event the codebook must still be able to code.
    (3, "Labour action", "⟦हड़ताल पर जाने की तैयारी⟧", "planned", [
        ("Actor", "Worker group", "से जुड़े ⟦डिलीवरी वर्कर⟧"),
        ("Target organization", "Organization", "⟦जोमैटो⟧, स्विगी"),
        ("Target organization", "Organization", "जोमैटो, ⟦स्विगी⟧"),
        ("Target organization", "Organization", "⟦जेप्टो⟧"),
        ("Target organization", "Organization", "⟦ब्लिंकिट⟧"),
        ("Target organization", "Organization", "⟦अमेजन⟧"),
        ("Target organization", "Organization", "⟦फ्लिपकार्ट⟧"),
        ("Date", "Date", "⟦25 और 31 दिसंबर⟧"),
    ]),

    # === 4 (ar) Scale AI cuts 700 jobs after the Meta deal, shifts focus to the public sector ==
    (4, "Investment/Acquisition", "من ⟦استثمار⟧ شركة Meta", "asserted", [
        ("Actor", "Organization", "استثمار شركة ⟦Meta⟧ بمبلغ"),
        ("Affected", "Organization", "سنغافوري) في ⟦Scale AI⟧"),
        ("Money", "Money", "⟦14.3 مليار دولار أمريكي⟧"),
        ("Money", "Money", "⟦18.4 مليار دولار سنغافوري⟧"),
        ("Share", "Percentage", "⟦49%⟧"),
    ]),
    # Meta hires Scale's CEO, co-founder Alexandr Wang, to lead its new superintelligence unit.
    (4, "Hiring/Poaching offer", "و⟦توظيفها⟧ لرئيسها التنفيذي", "asserted", [
        ("Actor", "Organization", "استثمار شركة ⟦Meta⟧ بمبلغ"),
        ("Affected", "Job title", "وتوظيفها ل⟦رئيسها التنفيذي⟧"),
        ("Affected", "Person", "المؤسس المشارك ⟦ألكسندر وانج⟧"),
        ("Target organization", "Organization", "سنغافوري) في ⟦Scale AI⟧"),
        ("Destination", "Team/Unit", "لقيادة ⟦وحدة الاستخبارات الفائقة الجديدة⟧"),
    ]),
    # The headline's 700 jobs = these 200 + 500: two groups, two events, the total is not a Count.
    (4, "Layoff", "قامت ب⟦تسريح⟧ 200", "asserted", [
        ("Actor", "Organization", "أكدت شركة ⟦Scale⟧ أنها"),
        ("Count", "Quantity", "⟦200 موظف بدوام كامل⟧"),
        ("Share", "Percentage", "حوالي ⟦14٪⟧"),
        ("Date", "Date", "في ⟦16 يوليو⟧"),
        ("Location", "Location", "⟦سان فرانسيسكو⟧"),
        ("Source", "Organization", "أكدت شركة ⟦Scale⟧ أنها"),
        ("Source", "Person", "المؤقت ⟦جيسون درويج⟧ الموظفين"),
        ("Source", "Information source", "الموظفين في ⟦مذكرة⟧"),
    ]),
    (4, "Layoff", "و⟦أنهت العقود⟧ مع 500", "asserted", [
        ("Actor", "Organization", "أكدت شركة ⟦Scale⟧ أنها"),
        ("Count", "Quantity", "مع ⟦500 من مقاولي تصنيف البيانات العالمية⟧"),
        ("Date", "Date", "في ⟦16 يوليو⟧"),
        ("Source", "Organization", "أكدت شركة ⟦Scale⟧ أنها"),
    ]),
    (4, "Restructuring", "في عملية ⟦إعادة هيكلة شاملة⟧", "asserted", [
        ("Actor", "Organization", "قامت ⟦شركة التعليق على البيانات⟧ التي"),
        ("Affected", "Business area", "ل⟦عملياتها الأساسية⟧"),
        ("Location", "Location", "⟦سان فرانسيسكو⟧"),
        ("Source", "Information source", "وأشارت ⟦الرسالة الداخلية⟧ أيضًا"),
        ("Source", "Information source", "الموظفين في ⟦مذكرة⟧"),
    ]),
    (4, "Restructuring", "تخطط ل⟦تضييق نطاق تركيزها⟧", "planned", [
        ("Actor", "Organization", "وأضاف أن ⟦الشركة⟧ تخطط"),
        ("Destination", "Business area", "⟦مشاريع تصنيف البيانات المرتبطة على وجه التحديد بالترميز واللغة والصوت⟧"),
        ("Source", "Person", "وقال ⟦درويج⟧،"),
    ]),
    # The headline's "shift of focus to public-sector work" is this same refocus.
    (4, "Restructuring", "وسوف ⟦ينتقل التركيز⟧", "planned", [
        ("Actor", "Organization", "قالت شركة ⟦Scale⟧ إنها"),
        ("Destination", "Business area", "إلى ⟦العمل في القطاع العام⟧"),
        ("Destination", "Business area", "⟦مبيعات المؤسسات⟧"),
        ("Destination", "Business area", "⟦تطبيقات الذكاء الاصطناعي المخصصة⟧"),
        ("Destination", "Business area", "⟦العمل الحكومي⟧"),
        ("Destination", "Organization", "⟦وزارة الدفاع الأمريكية⟧"),
        ("Source", "Organization", "قالت شركة ⟦Scale⟧ إنها"),
    ]),
    (4, "Restructuring", "وتعتزم ⟦إعادة تخصيص الاستثمارات⟧", "planned", [
        ("Actor", "Organization", "أن شركة ⟦سكيل⟧ لا تزال"),
        ("Destination", "Team/Unit", "⟦أقسامها الأسرع نموًا⟧"),
        ("Source", "Person", "⟦جو أوزبورن⟧"),
        ("Source", "Job title", "⟦المتحدث باسم الشركة⟧"),
    ]),
    (4, "Hiring/Poaching offer", "تتوقع ⟦توظيف المزيد⟧", "planned", [
        ("Actor", "Organization", "قالت شركة ⟦Scale⟧ إنها"),
        ("Date", "Date", "⟦النصف الثاني من عام 2025⟧"),
        ("Source", "Organization", "قالت شركة ⟦Scale⟧ إنها"),
    ]),
    # Droege, head of strategy, took over as interim CEO after Wang left for Meta.
    (4, "Reassignment", "الذي ⟦تولى المنصب⟧", "asserted", [
        ("Affected", "Person", "وقال ⟦درويج⟧،"),
        ("Origin", "Job title", "منصب ⟦رئيس الاستراتيجية⟧"),
        ("Destination", "Job title", "منصب ⟦الرئيس التنفيذي المؤقت⟧ في شركة Scale"),
    ]),
    # Droege's memo: the company grew (hired) too fast in 2024.
    (4, "Hiring/Poaching offer", "أن الشركة ⟦توسعت⟧ بسرعة", "reported", [
        ("Actor", "Organization", "أن ⟦الشركة⟧ توسعت"),
        ("Date", "Date", "في ⟦عام 2024⟧"),
        ("Source", "Person", "المؤقت ⟦جيسون درويج⟧ الموظفين"),
        ("Source", "Information source", "الموظفين في ⟦مذكرة⟧"),
    ]),

    # === 5 (ar) OpenAI forced into a week-long shutdown to counter Meta's talent raid ==========
    (5, "Company shutdown/break", "فرضت شركة OpenAI ⟦إجازة⟧ لمدة", "asserted", [
        ("Actor", "Organization", "فرضت شركة ⟦OpenAI⟧ إجازة"),
        ("Affected", "Worker group", "على ⟦جميع الموظفين⟧"),
        ("Exempted", "Job title", "يستثني ⟦المديرين التنفيذيين⟧"),
        ("Date", "Date", "إجازة ⟦لمدة أسبوع كامل⟧"),
        ("Source", "Information source", "تشير ⟦المصادر⟧ إلى أنها"),
        ("Source", "Information source", "⟦موظف OpenAI من فريق Go-To-Market (GTM)⟧"),
    ]),
    # OpenAI's loss of researchers (the leaver's side; "الرحيل المفاجئ" later is the same).
    (5, "Departure", "⟦خسارة⟧ ما لا يقل", "asserted", [
        ("Count", "Quantity", "⟦ما لا يقل عن ثمانية باحثين⟧"),
        ("Origin", "Organization", "فرضت شركة ⟦OpenAI⟧ إجازة"),
        ("Destination", "Team/Unit", 'في فريق "⟦الذكاء الفائق⟧"'),
        ("Destination", "Organization", "تشكيله حديثًا في ⟦ميتا⟧"),
    ]),
    (5, "Restructuring", "الذي ⟦تم تشكيله⟧ حديثًا", "asserted", [
        ("Actor", "Organization", "تشكيله حديثًا في ⟦ميتا⟧"),
        ("Destination", "Team/Unit", 'في فريق "⟦الذكاء الفائق⟧"'),
    ]),
    # Meta's poaching campaign (the hirer's side), with Zuckerberg's personal involvement.
    (5, "Hiring/Poaching offer", "موجة من ⟦الصيد الجائر⟧", "asserted", [
        ("Actor", "Organization", "من قبل شركة ⟦Meta⟧."),
        ("Actor", "Person", "الشخصي ل⟦مارك زوكربيرج⟧"),
        ("Target organization", "Organization", "وقد اتخذت شركة ⟦OpenAI⟧ خطوة"),
        ("Destination", "Team/Unit", 'في فريق "⟦الذكاء الفائق⟧"'),
    ]),
    # The $100M offers: confirmed by OpenAI insiders, doubted by Meta sources -> reported.
    (5, "Hiring/Poaching offer", "تم ⟦عرض⟧ مكافآت التوقيع", "reported", [
        ("Actor", "Organization", "عروض ⟦Meta⟧ البالغة"),
        ("Affected", "Worker group", "على ⟦بعض موظفي OpenAI⟧"),
        ("Target organization", "Organization", "بعض موظفي ⟦OpenAI⟧ -"),
        ("Money", "Money", "بقيمة ⟦100 مليون دولار⟧"),
        ("Source", "Information source", "تشير ⟦التقارير⟧ إلى أنه"),
        ("Source", "Information source", "أكده ⟦المطلعون في OpenAI⟧"),
        ("Source", "Information source", "من قبل ⟦مصادر Meta⟧"),
    ]),
    # Chen and Altman "working around the clock" to retain staff and recalibrate pay.
    (5, "Compensation", "و⟦إعادة معايرة الأجور⟧", "planned", [
        ("Actor", "Person", "وأكد ⟦تشين⟧ للموظفين"),
        ("Actor", "Person", 'والرئيس التنفيذي ⟦سام ألتمان⟧ "يعملان'),
        ("Affected", "Worker group", "لمنع ⟦الباحثين⟧ من"),
        ("Source", "Person", "أعرب ⟦مارك تشين⟧، كبير"),
        ("Source", "Information source", "في ⟦رسالة داخلية على Slack⟧"),
        ("Source", "Organization", "تسريبها إلى ⟦Wired⟧"),
    ]),
    # A research lead's warning that Meta will exploit the shutdown week to speed up hiring.
    (5, "Hiring/Poaching offer", "ل⟦تسريع جهود التوظيف⟧", "planned", [
        ("Actor", "Organization", "وحذر آخر من أن ⟦ميتا⟧"),
        ("Target organization", "Organization", "وقد اتخذت شركة ⟦OpenAI⟧ خطوة"),
        ("Date", "Date", "⟦أسبوع إغلاق الشركة⟧"),
        ("Source", "Information source", "وحذر ⟦آخر⟧ من"),
    ]),
    # Sam Altman's exit and return: a departure that was undone.
    (5, "Departure", "⟦الخروج والعودة⟧ الدراماتيكية", "reversed", [
        ("Affected", "Person", "الدراماتيكية للرئيس التنفيذي ⟦سام ألتمان⟧"),
        ("Affected", "Job title", "الدراماتيكية لل⟦رئيس التنفيذي⟧ سام ألتمان"),
        ("Origin", "Organization", "قيادة شركة ⟦OpenAI⟧ على أنها"),
    ]),
]

# Document codes per article: (primary_topic, tone).
DOC_CODES = {
    1: ("policy reversal", "neutral"),
    2: ("talent war/poaching", "negative"),
    3: ("layoffs", "negative"),
    4: ("layoffs", "negative"),
    5: ("talent war/poaching", "negative"),
}

DOC_IDS = sorted(DOC_CODES)

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def split_marked(pattern: str) -> tuple[str, str, str]:
    """(before, target, after) of a pattern with one ⟦marked⟧ part; unmarked = all target."""
    if OPEN not in pattern:
        return "", pattern, ""
    before, rest = pattern.split(OPEN, 1)
    target, after = rest.split(CLOSE, 1)
    assert OPEN not in after and CLOSE not in before + target, f"one ⟦⟧ pair only: {pattern!r}"
    return before, target, after


def locate(text: str, pattern: str) -> tuple[int, int]:
    """Offsets of the marked part of `pattern`, whose unmarked form must occur once in `text`."""
    before, target, after = split_marked(pattern)
    assert target, f"empty span in {pattern!r}"
    context = before + target + after
    found = text.count(context)
    assert found == 1, f"{context!r} occurs {found} times in the document, not exactly once"
    start = text.index(context) + len(before)
    return start, start + len(target)


def entity_type_id(session, name: str) -> int:
    row = session.scalar(select(EntityType).where(EntityType.name == name))
    assert row is not None, f"the default codebook has no entity type {name!r}"
    return row.id


def event_type_id(session, name: str) -> int:
    row = session.scalar(select(EventType).where(EventType.name == name))
    assert row is not None, f"the default codebook has no event type {name!r}"
    return row.id


def role_id(session, event_type: str, role: str) -> int:
    row = session.scalar(
        select(EventRole).join(EventType, EventRole.event_type_id == EventType.id)
        .where(EventType.name == event_type, EventRole.name == role)
    )
    assert row is not None, f"{event_type!r} has no role {role!r} in the default codebook"
    return row.id


def modality_id(session) -> int:
    row = session.scalar(select(Attribute).where(Attribute.name == "Modality", Attribute.target == "event"))
    assert row is not None, "the default codebook has no event attribute Modality"
    return row.id


def code_document(project, doc_id: int) -> list[tuple[int, tuple]]:
    """Code every EVENTS row of one document, one unit of work per event; (event id, row) pairs."""
    with project.uow() as session:
        coder_id = get_or_create_coder(session, CODER).id
        text = session.get(Document, doc_id).text
    mentions: dict[tuple[int, int, str], int] = {}
    coded = []
    for row in (r for r in EVENTS if r[0] == doc_id):
        _, etype, trigger, modality, args = row
        try:
            with project.uow() as session:
                event = create_event(
                    session, doc_id, coder_id, event_type_id(session, etype), trigger=locate(text, trigger)
                )
                for role, ent_type, pattern in args:
                    start, end = locate(text, pattern)
                    key = (start, end, ent_type)
                    if key not in mentions:
                        mention = create_mention(
                            session, doc_id, coder_id, entity_type_id(session, ent_type), start, end
                        )
                        mentions[key] = mention.id
                    add_argument(session, event.id, role_id(session, etype, role), mentions[key])
                set_event_attribute(session, event.id, modality_id(session), modality)
                coded.append((event.id, row))
        except AnnotaryError as exc:
            pytest.fail(f"document {doc_id}, {etype} at {trigger!r}: the codebook cannot code it: {exc}")
    topic, tone = DOC_CODES[doc_id]
    with project.uow() as session:
        for name, value in (("primary_topic", topic), ("tone", tone)):
            code = session.scalar(select(DocumentCode).where(DocumentCode.name == name))
            assert code is not None, f"the default codebook has no document code {name!r}"
            set_document_code(session, doc_id, coder_id, code.id, value)
    return coded


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


def test_document_ids_follow_seed_metadata(seeded_project):
    meta = json.loads((paths.seeds_dir() / "metadata.json").read_text(encoding="utf-8"))["documents"]
    with seeded_project.read() as session:
        docs = session.scalars(select(Document).order_by(Document.id)).all()
        assert [(d.id, d.filename, d.language) for d in docs] == [
            (i, m["file"], m["language"]) for i, m in enumerate(meta, start=1)
        ]
    assert [d.id for d in docs] == DOC_IDS


def test_table_is_consistent(seeded_project):
    """Every span is found once, a span has one entity type, and the table uses the whole codebook."""
    with seeded_project.read() as session:
        texts = {d.id: d.text for d in session.scalars(select(Document))}
        entity_types = set(session.scalars(select(EntityType.name)))
        event_types = set(session.scalars(select(EventType.name)))
        modality = json.loads(session.scalar(select(Attribute.values_json).where(Attribute.name == "Modality")))
    span_types: dict[tuple[int, int, int], set[str]] = {}
    for doc_id, _etype, trigger, _modality, args in EVENTS:
        locate(texts[doc_id], trigger)
        for _role, ent_type, pattern in args:
            span_types.setdefault((doc_id, *locate(texts[doc_id], pattern)), set()).add(ent_type)
    clashes = {k: v for k, v in span_types.items() if len(v) > 1}
    assert not clashes, f"spans tagged with two entity types: {clashes}"
    # The codebook is written for this corpus: each of its types and Modality values is needed here.
    assert {r[1] for r in EVENTS} == event_types
    assert {a[1] for r in EVENTS for a in r[4]} == entity_types
    assert {r[3] for r in EVENTS} == set(modality)
    assert {r[0] for r in EVENTS} == set(DOC_IDS)


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_every_event_in_the_article_is_codable(seeded_project, doc_id):
    coded = code_document(seeded_project, doc_id)
    assert len(coded) == sum(1 for r in EVENTS if r[0] == doc_id)

    with seeded_project.read() as session:
        doc = session.get(Document, doc_id)
        text = doc.text
        mentions = session.scalars(select(Mention).where(Mention.document_id == doc_id)).all()
        assert mentions
        for m in mentions:
            assert m.text == text[m.start:m.end], f"mention {m.id} text differs from its span"
        type_names = {t.id: t.name for t in session.scalars(select(EntityType))}
        role_names = {r.id: r.name for r in session.scalars(select(EventRole))}
        mod_id = modality_id(session)

        for event_id, (_, etype, trigger, modality, args) in coded:
            event = session.get(Event, event_id)
            assert session.get(EventType, event.event_type_id).name == etype
            assert event.trigger_text == text[event.trigger_start:event.trigger_end]
            assert event.trigger_text == split_marked(trigger)[1]
            value = session.scalar(
                select(EventAttributeValue.value).where(
                    EventAttributeValue.event_id == event_id, EventAttributeValue.attribute_id == mod_id
                )
            )
            assert value == modality, f"{etype} at {trigger!r}"
            stored = Counter()
            for arg in session.scalars(select(EventArgument).where(EventArgument.event_id == event_id)):
                mention = session.get(Mention, arg.mention_id)
                stored[(role_names[arg.role_id], type_names[mention.entity_type_id], mention.text)] += 1
            expected = Counter((role, ent_type, split_marked(p)[1]) for role, ent_type, p in args)
            assert stored == expected, f"{etype} at {trigger!r}"

        codes = {
            session.get(DocumentCode, v.code_id).name: v.value
            for v in session.scalars(select(DocumentCodeValue).where(DocumentCodeValue.document_id == doc_id))
        }
        assert codes == dict(zip(("primary_topic", "tone"), DOC_CODES[doc_id]))


def test_codebook_gaps_would_fail(seeded_project):
    """The guard this coverage relies on: a role refuses an entity type it does not accept."""
    with seeded_project.uow() as session:
        coder_id = get_or_create_coder(session, CODER).id
        text = session.get(Document, 4).text
        event = create_event(session, 4, coder_id, event_type_id(session, "Layoff"),
                             trigger=locate(text, "قامت ب⟦تسريح⟧ 200"))
        money = create_mention(session, 4, coder_id, entity_type_id(session, "Money"),
                               *locate(text, "⟦14.3 مليار دولار أمريكي⟧"))
        with pytest.raises(AnnotaryError):
            add_argument(session, event.id, role_id(session, "Layoff", "Actor"), money.id)
