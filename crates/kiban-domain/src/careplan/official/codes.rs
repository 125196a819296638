//! The layout's code lists (【コード表】 and each field's 選択肢), as types.

use super::values::code_error;
use super::{Field, FieldError};
use crate::code_enum::code_enum;
use crate::codes::{CareLevel, Sex};

/// Code enums read and written as their code.
macro_rules! code_fields {
    ($($t:ty),* $(,)?) => {
        $(
            impl Field for $t {
                fn parse(text: &str, _len: Option<usize>) -> Result<Self, FieldError> {
                    <$t>::from_code(text).map_err(|e| code_error(&e))
                }
                fn write(&self, out: &mut String) {
                    out.push_str(self.code());
                }
            }
        )*
    };
}

code_fields!(
    CareLevel,
    Sex,
    PlanCategory,
    CertificationState,
    LivingAidReason,
    InsuranceCoverage,
    Weekday,
    Applies,
    PreventionPlanKind,
    Entrustment,
    ConsultationMethod,
    ConsultationCount,
    CurrentSituation,
    PhysicalIndependenceLevel,
    DementiaIndependenceLevel,
    ChecklistResult,
    Residence,
    Presence,
    Necessity,
    SupportLevel,
    PhysicianFlag,
    Course,
);

code_enum! {
    /// (1) 計画書区分.
    PlanCategory ("計画書区分", "plan category") {
        First = "11", "初回";
        Referral = "12", "紹介";
        Continued = "21", "継続";
        FirstReferral = "51", "初回＆紹介";
        FirstContinued = "52", "初回＆継続";
        ReferralContinued = "53", "紹介＆継続";
        FirstReferralContinued = "54", "初回＆紹介＆継続";
    }
}

code_enum! {
    /// (2) 認定状況区分.
    CertificationState ("認定状況区分", "certification state") {
        Applied = "1", "申請中";
        Certified = "2", "認定済";
    }
}

code_enum! {
    /// (4) 生活援助中心型の算定理由.
    LivingAidReason ("生活援助中心型の算定理由", "reason for living-aid services") {
        LivesAlone = "1", "一人暮らし";
        FamilyUnable = "2", "家族等が障害、疾病等";
        Other = "3", "その他";
    }
}

code_enum! {
    /// (5) 保険対象区分.
    InsuranceCoverage ("保険対象区分", "insurance coverage") {
        Covered = "Y", "対象";
        NotCovered = "N", "対象外";
    }
}

code_enum! {
    /// 曜日 (第3表).
    Weekday ("曜日", "weekday") {
        Monday = "1", "月";
        Tuesday = "2", "火";
        Wednesday = "3", "水";
        Thursday = "4", "木";
        Friday = "5", "金";
        Saturday = "6", "土";
        Sunday = "7", "日";
    }
}

code_enum! {
    /// 1:該当 0:非該当 (３０日超区分, 障害等認定, 経済状況).
    Applies ("該当区分", "applies") {
        Yes = "1", "該当";
        No = "0", "非該当";
    }
}

code_enum! {
    /// 計画種類 (介護予防).
    PreventionPlanKind ("計画種類", "prevention plan kind") {
        PreventionSupport = "1", "介護予防支援";
        CareManagement = "2", "介護予防ケアマネジメント";
    }
}

code_enum! {
    /// 委託の有無.
    Entrustment ("委託の有無", "entrustment") {
        OwnStaff = "1", "自前";
        Entrusted = "2", "委託";
    }
}

code_enum! {
    /// 相談方法.
    ConsultationMethod ("相談方法", "consultation method") {
        Visit = "01", "来所";
        Phone = "02", "電話";
        Other = "03", "その他";
    }
}

code_enum! {
    /// 相談回数.
    ConsultationCount ("相談回数", "consultation count") {
        First = "01", "初回";
        Again = "02", "再来";
    }
}

code_enum! {
    /// 利用者の現況.
    CurrentSituation ("利用者の現況", "current situation") {
        AtHome = "01", "在宅";
        InHospitalOrFacility = "02", "入院又は入所中";
    }
}

code_enum! {
    /// 障害高齢者の日常生活自立度.
    PhysicalIndependenceLevel ("障害高齢者の日常生活自立度", "physical independence level") {
        Independent = "01", "自立";
        J1 = "11", "J1";
        J2 = "12", "J2";
        A1 = "21", "A1";
        A2 = "22", "A2";
        B1 = "31", "B1";
        B2 = "32", "B2";
        C1 = "41", "C1";
        C2 = "42", "C2";
    }
}

code_enum! {
    /// 認知症高齢者の日常生活自立度.
    DementiaIndependenceLevel ("認知症高齢者の日常生活自立度", "dementia independence level") {
        Independent = "01", "自立";
        I = "02", "Ⅰ";
        IIa = "03", "Ⅱａ";
        IIb = "04", "Ⅱｂ";
        IIIa = "05", "Ⅲａ";
        IIIb = "06", "Ⅲｂ";
        IV = "07", "Ⅳ";
        M = "08", "Ｍ";
    }
}

code_enum! {
    /// 基本チェックリスト記入結果.
    ChecklistResult ("基本チェックリスト記入結果", "basic checklist result") {
        Eligible = "1", "事業対象者の該当あり";
        NotEligible = "2", "事業対象者の該当なし";
    }
}

code_enum! {
    /// 居住形態.
    Residence ("居住形態", "residence") {
        Own = "01", "自宅";
        Rented = "02", "借家";
        House = "03", "一戸建て";
        Apartment = "04", "集合住宅";
        OwnHouse = "05", "自宅・一戸建て";
        OwnApartment = "06", "自宅・集合住宅";
        RentedHouse = "07", "借家・一戸建て";
        RentedApartment = "08", "借家・集合住宅";
    }
}

code_enum! {
    /// 有無 (1:有 2:無).
    Presence ("有無", "presence") {
        Present = "1", "有";
        Absent = "2", "無";
    }
}

code_enum! {
    /// 要否 (1:要 2:否).
    Necessity ("要否", "necessity") {
        Needed = "1", "要";
        NotNeeded = "2", "否";
    }
}

code_enum! {
    /// 要支援状態区分 (介護予防サービス・支援計画書).
    SupportLevel ("要支援状態区分", "support level") {
        Support1 = "1", "要支援１";
        Support2 = "2", "要支援２";
        RegionalSupport = "3", "地域支援事業";
    }
}

code_enum! {
    /// 主治医・意見作成者フラグ.
    PhysicianFlag ("主治医・意見作成者フラグ", "physician flag") {
        AttendingPhysician = "1", "主治医";
        Other = "2", "それ以外";
    }
}

code_enum! {
    /// 経過.
    Course ("経過", "course") {
        InTreatment = "01", "治療中";
        Observation = "02", "経過観察中";
        Other = "03", "その他";
    }
}
