//! One type per file kind of the layout, declared field by field with [`record!`]: the field
//! list below *is* the layout (No., 日本語名称, 項目長, 必須), transcribed from the facts file's §5.
//! Where the OCR left a value uncertain, the record's comment says what kiban does.

use super::codes::*;
use super::{
    record, DayFlags, Decimal, Hhmm, LimitCode, LimitOffice, Number, Plain, PostalCode,
    ServiceTime, ZeroOr,
};
use crate::careplan::{ServiceCode, YearMonth};
use crate::codes::{CareLevel, ServiceKind, Sex};
use crate::date::Date;
use crate::ids::OfficeNumber;

record! {
    /// UPHOSOKU 利用者補足情報 (63 fields): who the person is and the 限度額 of the month, sent with
    /// 第1表 (対象年月 `000000`) or with 第6表 (居宅サービス計画作成（変更）日 `00000000`).
    SupplementRecord {
        4 plan_date: ZeroOr<Date> = "居宅サービス計画作成（変更）日", Some(8), true;
        5 kana: String = "利用者氏名フリガナ", None, true;
        6 name: String = "利用者氏名", None, true;
        7 sex: Sex = "利用者性別", Some(1), true;
        8 birth_date: Date = "利用者生年月日", Some(8), true;
        9 postal_code: Option<PostalCode> = "利用者郵便番号", Some(8), false;
        10 address1: String = "利用者住所１", None, false;
        11 address2: String = "利用者住所２", None, false;
        12 phone: Option<Plain> = "利用者電話番号", Some(15), false;
        13 certified_on: Option<Date> = "認定日", Some(8), false;
        14 limit_from: Option<Date> = "限度額適用開始年月日", Some(8), false;
        15 limit_to: Option<Date> = "限度額適用終了年月日", Some(8), false;
        16 certification_state: Option<CertificationState> = "認定状況区分", Some(1), false;
        17 level_changed_on: Option<Date> = "要介護状態変更日", Some(8), false;
        18 care_level: Option<CareLevel> = "要介護状態区分", Some(2), false;
        19 limit_units: Option<Number> = "区分支給限度基準額", Some(7), false;
        20 kind1_service_kind: Option<ServiceKind> = "１サービス種類コード", Some(2), false;
        21 kind1_limit_units: Option<Number> = "１支給限度基準額", Some(7), false;
        22 kind1_total_units: Option<Number> = "１合計単位数", Some(7), false;
        23 kind1_over_units: Option<Number> = "１限度超単位数", Some(7), false;
        24 kind2_service_kind: Option<ServiceKind> = "２サービス種類コード", Some(2), false;
        25 kind2_limit_units: Option<Number> = "２支給限度基準額", Some(7), false;
        26 kind2_total_units: Option<Number> = "２合計単位数", Some(7), false;
        27 kind2_over_units: Option<Number> = "２限度超単位数", Some(7), false;
        28 kind3_service_kind: Option<ServiceKind> = "３サービス種類コード", Some(2), false;
        29 kind3_limit_units: Option<Number> = "３支給限度基準額", Some(7), false;
        30 kind3_total_units: Option<Number> = "３合計単位数", Some(7), false;
        31 kind3_over_units: Option<Number> = "３限度超単位数", Some(7), false;
        32 kind4_service_kind: Option<ServiceKind> = "４サービス種類コード", Some(2), false;
        33 kind4_limit_units: Option<Number> = "４支給限度基準額", Some(7), false;
        34 kind4_total_units: Option<Number> = "４合計単位数", Some(7), false;
        35 kind4_over_units: Option<Number> = "４限度超単位数", Some(7), false;
        36 kind5_service_kind: Option<ServiceKind> = "５サービス種類コード", Some(2), false;
        37 kind5_limit_units: Option<Number> = "５支給限度基準額", Some(7), false;
        38 kind5_total_units: Option<Number> = "５合計単位数", Some(7), false;
        39 kind5_over_units: Option<Number> = "５限度超単位数", Some(7), false;
        40 kind6_service_kind: Option<ServiceKind> = "６サービス種類コード", Some(2), false;
        41 kind6_limit_units: Option<Number> = "６支給限度基準額", Some(7), false;
        42 kind6_total_units: Option<Number> = "６合計単位数", Some(7), false;
        43 kind6_over_units: Option<Number> = "６限度超単位数", Some(7), false;
        44 kind7_service_kind: Option<ServiceKind> = "７サービス種類コード", Some(2), false;
        45 kind7_limit_units: Option<Number> = "７支給限度基準額", Some(7), false;
        46 kind7_total_units: Option<Number> = "７合計単位数", Some(7), false;
        47 kind7_over_units: Option<Number> = "７限度超単位数", Some(7), false;
        48 kind8_service_kind: Option<ServiceKind> = "８サービス種類コード", Some(2), false;
        49 kind8_limit_units: Option<Number> = "８支給限度基準額", Some(7), false;
        50 kind8_total_units: Option<Number> = "８合計単位数", Some(7), false;
        51 kind8_over_units: Option<Number> = "８限度超単位数", Some(7), false;
        52 kind9_service_kind: Option<ServiceKind> = "９サービス種類コード", Some(2), false;
        53 kind9_limit_units: Option<Number> = "９支給限度基準額", Some(7), false;
        54 kind9_total_units: Option<Number> = "９合計単位数", Some(7), false;
        55 kind9_over_units: Option<Number> = "９限度超単位数", Some(7), false;
        56 total_over_units: Option<Number> = "合計限度超単位数", Some(7), false;
        57 days_before_admission: Option<Number> = "入所前月迄利用日数", Some(5), false;
        58 cumulative_stay_days: Option<Number> = "入所累積利用日数", Some(5), false;
        59 previous_care_level: Option<CareLevel> = "前回要介護状態区分", Some(2), false;
        60 consent_office: Option<OfficeNumber> = "同意書受付業者", Some(10), false;
        61 vendor_code: Option<Plain> = "更新業者コード", Some(10), false;
        62 identifier: Option<Plain> = "識別子", Some(1), false;
        63 month: ZeroOr<YearMonth> = "対象年月", Some(6), true;
    }
}

record! {
    /// UP1KYO 居宅サービス計画書(1) (28 fields).
    Plan1Record {
        4 created_on: Date = "作成年月日", Some(8), true;
        5 user_postal_code: Option<PostalCode> = "利用者郵便番号", Some(8), false;
        6 user_address1: String = "利用者住所１", None, false;
        7 user_address2: String = "利用者住所２", None, false;
        8 planner_name: String = "居宅サービス計画作成者氏名", None, true;
        9 office_name: String = "介護支援事業者名", None, true;
        10 office_postal_code: Option<PostalCode> = "介護支援事業者郵便番号", Some(8), false;
        11 office_address1: String = "介護支援事業者住所１", None, false;
        12 office_address2: String = "介護支援事業者住所２", None, false;
        13 office: OfficeNumber = "介護支援事業者コード", Some(10), true;
        14 plan_date: Date = "居宅サービス計画作成（変更）日", Some(8), true;
        15 first_plan_date: Date = "初回居宅サービス計画作成日", Some(8), true;
        16 category: Option<PlanCategory> = "計画書区分", Some(2), false;
        17 certification_state: Option<CertificationState> = "認定状況区分", Some(1), false;
        18 certified_on: Option<Date> = "認定日", Some(8), false;
        19 valid_from: Option<Date> = "認定有効期間開始日", Some(8), false;
        20 valid_to: Option<Date> = "認定有効期間終了日", Some(8), false;
        21 care_level: Option<CareLevel> = "要介護状態区分", Some(2), false;
        22 intentions: String = "利用者及び家族の生活に対する意向を踏まえた課題分析の結果", None, false;
        23 committee_opinion: String = "介護認定審査会の意見及びサービスの種類の指定", None, false;
        24 policy: String = "総合的な援助の方針", None, false;
        25 living_aid_reason: Option<LivingAidReason> = "生活援助中心型の算定理由", Some(1), false;
        26 living_aid_note: String = "その他理由", None, false;
        27 vendor_code: Option<Plain> = "更新業者コード", Some(10), false;
        28 identifier: Option<Plain> = "識別子", Some(1), false;
    }
}

record! {
    /// DLT1KYO 居宅サービス計画1表_削除: withdraws the plan of the date (第2表 and 第3表 with it).
    Plan1DeletionRecord {
        4 plan_date: Date = "居宅サービス計画作成（変更）日", Some(8), true;
    }
}

record! {
    /// UP2KYO 居宅サービス計画書(2) (22 fields): one line of the form, in 課題・援助目標・援助内容 order.
    Plan2Record {
        4 written_on: Date = "居宅計画書作成年月日", Some(8), true;
        5 plan_date: Date = "居宅サービス計画作成（変更）日", Some(8), true;
        6 need_no: Option<Number> = "課題ＮＯ", Some(2), false;
        7 need: String = "課題", None, false;
        8 goal_no: Option<Number> = "援助目標ＮＯ", Some(2), false;
        9 long_term_goal: String = "長期目標", None, false;
        10 short_term_goal: String = "短期目標", None, false;
        11 long_term_period: String = "長期期間", None, false;
        12 short_term_period: String = "短期期間", None, false;
        13 service_no: Option<Number> = "援助内容ＮＯ", Some(2), false;
        14 service_content: String = "サービス内容", None, false;
        15 coverage: Option<InsuranceCoverage> = "保険対象区分", Some(1), false;
        16 service_type: String = "サービス種別", None, false;
        17 provider: Option<OfficeNumber> = "サービス事業者コード", Some(10), false;
        18 provider_name: String = "サービス事業所名", None, false;
        19 frequency: String = "頻度", None, false;
        20 period: String = "実施期間", None, false;
        21 vendor_code: Option<Plain> = "更新業者コード", Some(10), false;
        22 identifier: Option<Plain> = "識別子", Some(1), false;
    }
}

record! {
    /// UP3KYO 週間サービス計画表 (13 fields): one item per line, a weekly service (No.6–9), a
    /// daily activity (No.10–12) or a service that is not weekly (No.13).
    Plan3Record {
        4 written_on: Date = "週間サービス計画表作成年月日", Some(8), true;
        5 plan_date: Date = "居宅サービス計画作成（変更）日", Some(8), true;
        6 service_content: String = "介護サービス内容", None, false;
        7 weekday: Option<Weekday> = "曜日", Some(1), false;
        8 start: Option<Hhmm> = "開始時間", Some(4), false;
        9 end: Option<Hhmm> = "終了時間", Some(4), false;
        10 daily_activity: String = "主な日常生活上の活動", None, false;
        11 activity_start: Option<Hhmm> = "開始時間", Some(4), false;
        12 activity_end: Option<Hhmm> = "終了時間", Some(4), false;
        13 non_weekly_service: String = "週単位以外のサービス", None, false;
    }
}

record! {
    /// UPPLAN 第6表（サービス利用票）予定 and UPJSK 実績 (25 fields, one format): one service on one
    /// day. No.6 and No.7 are read as optional (the OCR leaves their 必須 mark uncertain); kiban
    /// writes them.
    UseRecord {
        4 created_on: Date = "作成年月日", Some(8), true;
        5 month: YearMonth = "対象年月", Some(6), true;
        6 plan_office: Option<OfficeNumber> = "プラン担当業者コード", Some(10), false;
        7 planner_name: String = "プラン担当者名", None, false;
        8 units: Option<Number> = "単位数", Some(6), false;
        9 short_stay_days_before: Option<Number> = "前月までの短期入所利用日数", Some(5), false;
        10 service_date: Date = "サービス利用日", Some(8), true;
        11 per_day_days: Option<DayFlags> = "日割対象日", Some(31), false;
        12 start: ServiceTime = "サービス開始時刻", Some(4), true;
        13 end: ServiceTime = "サービス終了時刻", Some(4), true;
        14 count: Number = "サービス回数", Some(2), true;
        15 service_code: ServiceCode = "サービスコード", Some(6), true;
        16 tais_code: Option<Plain> = "TAISコード", Some(12), false;
        17 notified_code: Option<Plain> = "福祉用具届出コード", Some(12), false;
        18 equipment_name: String = "用具名称（機種名）", None, false;
        19 detail_code: Option<Number> = "明細判別コード", Some(2), false;
        20 provider: OfficeNumber = "サービス事業者コード", Some(10), true;
        21 provider_name: String = "サービス事業所名", None, false;
        22 satellite_no: Option<Number> = "サテライト枝番", Some(2), false;
        23 over_30_days: Applies = "３０日超区分", Some(1), true;
        24 vendor_code: Option<Plain> = "更新業者コード", Some(10), false;
        25 identifier: Option<Plain> = "識別子", Some(1), false;
    }
}

record! {
    /// DLTPLAN 第6表（サービス利用票）_削除: withdraws the 利用票 of the month (第7表 with it).
    UseDeletionRecord {
        4 month: YearMonth = "削除対象年月", Some(6), true;
    }
}

record! {
    /// DLTJSK 実績_削除: withdraws one office's 実績 of one サービス種類 in the month.
    ResultsDeletionRecord {
        4 month: YearMonth = "削除対象年月", Some(6), true;
        5 provider: OfficeNumber = "サービス事業者コード", Some(10), true;
        6 service_kind: ServiceKind = "サービス種類コード", Some(2), true;
    }
}

record! {
    /// UPSIKYU 第7表（サービス利用票別表） (37 fields): one line of 区分支給限度管理・利用者負担計算,
    /// subtotals and the 全合計 included. No.30 is read with the 項目長 5 of 本文 3.2 (the layout
    /// prints 2).
    LimitRecord {
        4 created_on: Date = "作成年月日", Some(8), true;
        5 month: YearMonth = "対象年月", Some(6), true;
        6 provider_name: String = "サービス事業所名", None, false;
        7 provider: LimitOffice = "サービス事業所コード", Some(10), true;
        8 satellite_no: Option<Number> = "サテライト枝番", Some(2), false;
        9 service_code: LimitCode = "サービスコード", Some(6), true;
        10 tais_code: Option<Plain> = "TAISコード", Some(12), false;
        11 notified_code: Option<Plain> = "福祉用具届出コード", Some(12), false;
        12 equipment_name: String = "用具名称（機種名）", None, false;
        13 units: Number = "単位数", Some(6), true;
        14 discount_rate: Option<Number> = "割引後率", Some(5), false;
        15 discounted_units: Option<Number> = "割引後単位数", Some(6), false;
        16 count: Number = "回数／日数", Some(3), true;
        17 service_units: Option<Number> = "サービス単位金額", Some(5), false;
        18 managed_units: Option<Number> = "給付管理単位数", Some(6), false;
        19 over_kind_limit: Option<Number> = "種類支給限度基準超単位数", Some(6), false;
        20 within_kind_limit: Option<Number> = "種類支給限度基準内単位数", Some(6), false;
        21 over_level_limit: Option<Number> = "区分支給限度基準超単位数", Some(6), false;
        22 within_level_limit: Option<Number> = "区分支給限度基準内単位数", Some(6), false;
        23 unit_price: Option<Decimal> = "単位数単価", Some(6), false;
        24 total_cost: Option<Number> = "費用総額保険／事業対象分", Some(6), false;
        25 benefit_rate: Option<Number> = "給付率", Some(6), false;
        26 claim: Option<Number> = "保険／事業費請求額", Some(6), false;
        27 fixed_copay_price: Option<Number> = "定額利用者負担単価金額", Some(6), false;
        28 copay_insured: Option<Number> = "利用者負担保険／事業対象分", Some(6), false;
        29 copay_full: Option<Number> = "利用者負担（全額負担分）", Some(6), false;
        30 days_before: Option<Number> = "前月までの利用日数", Some(5), false;
        31 planned_days: Option<Number> = "当月の計画利用日数", Some(2), false;
        32 cumulative_days: Option<Number> = "累積利用日数", Some(5), false;
        33 over_30_days: Applies = "３０日超区分", Some(1), true;
        34 office_code: Option<Plain> = "事業所コード", Some(10), false;
        35 operator_code: Option<Plain> = "入力者コード", Some(10), false;
        36 vendor_code: Option<Plain> = "更新業者コード", Some(10), false;
        37 identifier: Option<Plain> = "識別子", Some(1), false;
    }
}

record! {
    /// UPKIHON 利用者基本情報 (介護予防, 71 fields).
    BasicInfoRecord {
        4 consulted_on: Date = "相談日", Some(8), true;
        5 plan_kind: PreventionPlanKind = "計画種類", Some(1), true;
        6 entrustment: Option<Entrustment> = "委託の有無", Some(1), false;
        7 author: String = "作成担当者", None, false;
        8 method: Option<ConsultationMethod> = "相談方法", Some(2), false;
        9 method_note: String = "相談方法(その他の内容)", None, false;
        10 consultation_count: Option<ConsultationCount> = "相談回数", Some(2), false;
        11 previous_consulted_on: Option<Date> = "前回相談日", Some(8), false;
        12 situation: Option<CurrentSituation> = "利用者の現況", Some(2), false;
        13 situation_note: String = "利用者の現況(状況補足)", None, false;
        14 kana: String = "利用者氏名ﾌﾘｶﾞﾅ", None, true;
        15 name: String = "利用者氏名", None, true;
        16 sex: Sex = "利用者性別", Some(1), true;
        17 birth_date: Date = "利用者生年月日", Some(8), true;
        18 address: String = "利用者住所", None, false;
        19 phone: Option<Plain> = "利用者電話番号", Some(15), false;
        20 fax: Option<Plain> = "利用者Fax番号", Some(15), false;
        21 physical_independence: Option<PhysicalIndependenceLevel> = "障害高齢者の日常生活自立度", Some(2), false;
        22 dementia_independence: Option<DementiaIndependenceLevel> = "認知症高齢者の日常生活自立度", Some(2), false;
        23 care_level: Option<CareLevel> = "要介護状態区分", Some(2), false;
        24 valid_from: Option<Date> = "認定有効期限開始日", Some(8), false;
        25 valid_to: Option<Date> = "認定有効期間終了日", Some(8), false;
        26 previous_care_level: Option<CareLevel> = "前回の介護度", Some(2), false;
        27 checklist_result: Option<ChecklistResult> = "基本チェックリスト記入結果", Some(1), false;
        28 checklist_on: Option<Date> = "基本チェックリスト記入日", Some(8), false;
        29 disability_physical: Option<Applies> = "障害等認定(身障)", Some(1), false;
        30 disability_intellectual: Option<Applies> = "障害等認定(療育)", Some(1), false;
        31 disability_mental: Option<Applies> = "障害等認定(精神)", Some(1), false;
        32 disability_intractable: Option<Applies> = "障害等認定(難病)", Some(1), false;
        33 disability_note: String = "障害等認定特記事項", None, false;
        34 residence: Option<Residence> = "居住形態", Some(2), false;
        35 room_floor: Option<Number> = "自室の階数", Some(2), false;
        36 home_renovation: Option<Presence> = "住宅改修の有無", Some(1), false;
        37 pension_national: Option<Applies> = "経済状況(国民年金)", Some(1), false;
        38 pension_employee: Option<Applies> = "経済状況(厚生年金)", Some(1), false;
        39 pension_disability: Option<Applies> = "経済状況(障害年金)", Some(1), false;
        40 public_assistance: Option<Applies> = "経済状況(生活保護)", Some(1), false;
        41 finances_note: String = "経済状況詳細", None, false;
        42 visitor_name: String = "来所者(相談者)氏名", None, false;
        43 visitor_address: String = "来所者(相談者)住所", None, false;
        44 visitor_phone: Option<Plain> = "来所者(相談者)電話番号", Some(15), false;
        45 visitor_relation: String = "来所者(相談者)続柄", None, false;
        46 contact1_name: String = "1 緊急連絡先(氏名)", None, false;
        47 contact1_relation: String = "1 緊急連絡先(続柄)", None, false;
        48 contact1_address: String = "1 緊急連絡先(住所)", None, false;
        49 contact1_phone: Option<Plain> = "1 緊急連絡先(電話番号)", Some(15), false;
        50 contact2_name: String = "2 緊急連絡先(氏名)", None, false;
        51 contact2_relation: String = "2 緊急連絡先(続柄)", None, false;
        52 contact2_address: String = "2 緊急連絡先(住所)", None, false;
        53 contact2_phone: Option<Plain> = "2 緊急連絡先(電話番号)", Some(15), false;
        54 contact3_name: String = "3 緊急連絡先(氏名)", None, false;
        55 contact3_relation: String = "3 緊急連絡先(続柄)", None, false;
        56 contact3_address: String = "3 緊急連絡先(住所)", None, false;
        57 contact3_phone: Option<Plain> = "3 緊急連絡先(電話番号)", Some(15), false;
        58 contact4_name: String = "4 緊急連絡先(氏名)", None, false;
        59 contact4_relation: String = "4 緊急連絡先(続柄)", None, false;
        60 contact4_address: String = "4 緊急連絡先(住所)", None, false;
        61 contact4_phone: Option<Plain> = "4 緊急連絡先(電話番号)", Some(15), false;
        62 family_image: String = "家族構成 画像ファイル名", None, false;
        63 family_situation: String = "家族関係等の状況", None, false;
        64 life_history: String = "今までの生活", None, false;
        65 daily_life: String = "１日の生活・すごし方(生活全般)", None, false;
        66 hobbies: String = "趣味・楽しみ・特技", None, false;
        67 community: String = "友人・地域との関係", None, false;
        68 public_services: String = "現在利用している公的サービス", None, false;
        69 private_services: String = "現在利用している非公的サービス", None, false;
        70 agreed_on: Option<Date> = "同意日", Some(8), false;
        71 agreed_by: String = "同意者氏名", None, false;
    }
}

record! {
    /// DLTKIHON 利用者基本情報_削除 (別表1, 別表2 and the 家族構成 image with it).
    BasicInfoDeletionRecord {
        4 consulted_on: Date = "相談日", Some(8), true;
    }
}

record! {
    /// UPKIHON_SUB1 利用者基本情報（別表1）１日の生活・すごし方: one time of the day.
    DailyScheduleRecord {
        4 consulted_on: Date = "相談日", Some(8), true;
        5 time: String = "時間", None, false;
        6 person_life: String = "本人の生活状況", None, false;
        7 carer_life: String = "介護者・家族の生活状況", None, false;
    }
}

record! {
    /// UPKIHON_SUB2 利用者基本情報（別表2）現病歴・既往歴: one illness.
    MedicalHistoryRecord {
        4 consulted_on: Date = "相談日", Some(8), true;
        5 date_text: String = "年月日", None, false;
        6 disease: String = "病名", None, false;
        7 institution: String = "医療機関・医師名", None, false;
        8 physician_flag: Option<PhysicianFlag> = "主治医・意見作成者フラグ", Some(1), false;
        9 phone: Option<Plain> = "医療機関・医師電話番号", Some(15), false;
        10 course: Option<Course> = "経過", Some(2), false;
        11 treatment: String = "治療中の内容", None, false;
    }
}

record! {
    /// UPYOBO 介護予防サービス・支援計画書 (57 fields).
    PreventionPlanRecord {
        4 plan_date: Date = "計画作成(変更)日", Some(8), true;
        5 plan_kind: PreventionPlanKind = "計画種類", Some(1), true;
        6 entrustment: Option<Entrustment> = "委託の有無", Some(1), false;
        7 reference_no: String = "整理番号", None, false;
        8 user_name: String = "利用者名", None, true;
        9 certified_on: Option<Date> = "認定年月日", Some(8), false;
        10 valid_from: Option<Date> = "認定有効期間開始日", Some(8), false;
        11 valid_to: Option<Date> = "認定有効期間終了日", Some(8), false;
        12 category: Option<PlanCategory> = "計画書区分", Some(2), false;
        13 certification_state: Option<CertificationState> = "認定状況区分", Some(1), false;
        14 support_level: Option<SupportLevel> = "要支援状態区分", Some(1), false;
        15 center_planner: String = "計画作成者氏名（地域包括支援センター担当者名）", None, false;
        16 care_manager: String = "計画作成者氏名（担当介護支援専門員名）", None, false;
        17 planner_office_name: String = "計画作成者事業者・事業所名", None, false;
        18 planner_office_address: String = "計画作成者事業者・事業所住所", None, false;
        19 planner_office_phone: Option<Plain> = "計画作成者事業者・事業所電話番号", Some(15), false;
        20 first_plan_date: Option<Date> = "初回作成日", Some(8), false;
        21 center: String = "担当地域包括支援センター", None, false;
        22 day_goal: String = "目標とする生活(1日)", None, false;
        23 year_goal: String = "目標とする生活(1年)", None, false;
        24 mobility_situation: String = "【運動・移動】現在の状況", None, false;
        25 mobility_intention: String = "【運動・移動】本人・家族の意欲・意向", None, false;
        26 mobility_issue: Option<Presence> = "【運動・移動】領域における課題の有無", Some(1), false;
        27 mobility_issue_background: String = "【運動・移動】領域における課題（背景・原因）", None, false;
        28 household_situation: String = "【日常生活(家庭生活)】現在の状況", None, false;
        29 household_intention: String = "【日常生活(家庭生活)】本人・家族の意欲・意向", None, false;
        30 household_issue: Option<Presence> = "【日常生活(家庭生活)】領域における課題の有無", Some(1), false;
        31 household_issue_background: String = "【日常生活(家庭生活)】領域における課題（背景・原因）", None, false;
        32 social_situation: String = "【社会参加、対人関係・コミュニケーション】現在の状況", None, false;
        33 social_intention: String = "【社会参加、対人関係・コミュニケーション】本人・家族の意欲・意向", None, false;
        34 social_issue: Option<Presence> = "【社会参加、対人関係・コミュニケーション】領域における課題の有無", Some(1), false;
        35 social_issue_background: String = "【社会参加、対人関係・コミュニケーション】領域における課題（背景・原因）", None, false;
        36 health_situation: String = "【健康管理】現在の状況", None, false;
        37 health_intention: String = "【健康管理】本人・家族の意欲・意向", None, false;
        38 health_issue: Option<Presence> = "【健康管理】領域における課題の有無", Some(1), false;
        39 health_issue_background: String = "【健康管理】領域における課題（背景・原因）", None, false;
        40 health_notes: String = "健康状態の留意点", None, false;
        41 support_policy: String = "妥当な支援の実施に向けた方針", None, false;
        42 overall_policy: String = "総合的な方針", None, false;
        43 checklist_exercise: Option<Number> = "基本チェックリストの該当数(運動不足)", Some(1), false;
        44 checklist_nutrition: Option<Number> = "基本チェックリストの該当数(栄養改善)", Some(1), false;
        45 checklist_oral: Option<Number> = "基本チェックリストの該当数(口腔内ケア)", Some(1), false;
        46 checklist_withdrawal: Option<Number> = "基本チェックリストの該当数(閉じこもり予防)", Some(1), false;
        47 checklist_memory: Option<Number> = "基本チェックリストの該当数(物忘れ予防)", Some(1), false;
        48 checklist_depression: Option<Number> = "基本チェックリストの該当数(うつ予防)", Some(1), false;
        49 program_exercise: Option<Necessity> = "事業プログラムの要否(運動不足)", Some(1), false;
        50 program_nutrition: Option<Necessity> = "事業プログラムの要否(栄養改善)", Some(1), false;
        51 program_oral: Option<Necessity> = "事業プログラムの要否(口腔内ケア)", Some(1), false;
        52 program_withdrawal: Option<Necessity> = "事業プログラムの要否(閉じこもり予防)", Some(1), false;
        53 program_memory: Option<Necessity> = "事業プログラムの要否(物忘れ予防)", Some(1), false;
        54 program_depression: Option<Necessity> = "事業プログラムの要否(うつ予防)", Some(1), false;
        55 center_opinion: String = "地域包括支援センター意見", None, false;
        56 agreed_on: Option<Date> = "同意日", Some(8), false;
        57 agreed_by: String = "同意者氏名", None, false;
    }
}

record! {
    /// DLTYOBO 介護予防サービス・支援計画書_削除 (its 別表 with it).
    PreventionPlanDeletionRecord {
        4 plan_date: Date = "計画作成(変更)日", Some(8), true;
    }
}

record! {
    /// UPYOBO_SUB 介護予防サービス・支援計画書（別表）支援計画: one line. The three ＮＯ fields are
    /// free text as the OCR shows them.
    SupportPlanRecord {
        4 plan_date: Date = "計画作成(変更)日", Some(8), true;
        5 issue_no: String = "課題ＮＯ", None, false;
        6 overall_issue: String = "総合的課題", None, false;
        7 proposal: String = "課題に対する目標と具体策の提案", None, false;
        8 intention: String = "具体策についての意向 本人・家族", None, false;
        9 goal: String = "目標", None, false;
        10 support_no: String = "支援計画ＮＯ", None, false;
        11 support_point: String = "【支援計画】目標についての支援のポイント", None, false;
        12 self_care: String = "【支援計画】本人等のセルフケアや家族の支援、インフォーマルサービス（民間サービス）", None, false;
        13 insured_services: String = "【支援計画】介護保険サービス又は地域支援事業（総合事業のサービス）", None, false;
        14 service_no: String = "利用サービスＮＯ", None, false;
        15 service_type: String = "【利用サービス】サービス種別", None, false;
        16 service_office: String = "【利用サービス】事業所(利用先)", None, false;
        17 service_period: String = "【利用サービス】期間", None, false;
    }
}
