# Generated from vos3000.catalog by `python -m vos3000.client.stubs`: do not edit.

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from vos3000.catalog import Field

STATUS_KEYS: tuple[str, ...]
SCALAR_TYPES: dict[str, str]

def attribute_name(wire_name: str) -> str: ...
def split_type(type_name: str) -> tuple[str, bool]: ...
def annotation(type_name: str) -> str: ...
def response_class_name(endpoint_name: str) -> str: ...
def record_attributes(shape: Shape, *, response: bool) -> list[tuple[str, str, bool]]: ...
def value_from_wire(type_name: str, value: Any) -> Any: ...
def value_to_wire(type_name: str | None, value: Any) -> Any: ...

class Shape:
    fields: tuple[Field, ...]
    type_of: dict[str, str]
    attr_of: dict[str, str]
    wire_of: dict[str, str]
    def __init__(self, fields: tuple[Field, ...]) -> None: ...
    def payload(self, values: Mapping[str, Any]) -> dict[str, Any]: ...

class Record:
    _shape: ClassVar[Shape]
    _is_response: ClassVar[bool]
    extra: dict[str, Any]
    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Self: ...
    def to_wire(self) -> dict[str, Any]: ...
    @classmethod
    def wire_payload(cls, values: Mapping[str, Any]) -> dict[str, Any]: ...

RECORDS: dict[str, type[Record]]
RESPONSES: dict[str, type[Record]]
REQUESTS: dict[str, Shape]

@dataclass(kw_only=True)
class InfoCustomerAdditional(Record):
    card_type: int | None = None
    card_number: str | None = None
    address: str | None = None
    post_code: str | None = None
    link_man: str | None = None
    telephone: str | None = None
    fax: str | None = None
    email: str | None = None
    email_cc: str | None = None
    email_bcc: str | None = None
    report_type: int | None = None
    company_name: str | None = None
    bank: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoCustomer(Record):
    account: str | None = None
    name: str | None = None
    money: float | None = None
    limit_money: float | None = None
    fee_rate_group: str | None = None
    type: int | None = None
    lock_type: int | None = None
    agent_account: str | None = None
    phone_book_limit: int | None = None
    start_time: int | None = None
    valid_time: int | None = None
    today_consumption: float | None = None
    memo: str | None = None
    info_customer_additional: InfoCustomerAdditional | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoPhoneValueAdded(Record):
    caller_id_display: bool | None = None
    call_transfer: bool | None = None
    do_not_disturb: bool | None = None
    period_forwarding: bool | None = None
    info_phone_value_added_period_forwardings: list[InfoPhoneValueAddedPeriodForwarding] | None = (
        None
    )
    unconditional_forward: bool | None = None
    unconditional_forward_e164: InfoPhoneValueAddedForwardE164 | None = None
    no_answer_forward: bool | None = None
    no_answer_forward_e164: InfoPhoneValueAddedForwardE164 | None = None
    offline_forward: bool | None = None
    offline_forward_e164: InfoPhoneValueAddedForwardE164 | None = None
    busy_forward: bool | None = None
    busy_forward_e164: InfoPhoneValueAddedForwardE164 | None = None
    color_ring: bool | None = None
    remote_color_ring_passthrough: bool | None = None
    color_ring_name: str | None = None
    unable_to_connect_voice_prompts: int | None = None
    call_remaining_time_prompts: int | None = None
    balance_not_enough_alarm: int | None = None
    voice_mail: bool | None = None
    voice_mail_check_password: bool | None = None
    voice_mail_max_number: int | None = None
    voice_mail_expire_day: int | None = None
    voice_mail_audio_type: int | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoPhoneValueAddedPeriodForwarding(Record):
    week_of_day: str | None = None
    begin_second_in_day: int | None = None
    end_second_in_day: int | None = None
    forward_e164: InfoPhoneValueAddedForwardE164 | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoPhoneValueAddedForwardE164(Record):
    forward_method: int | None = None
    alert_second: int | None = None
    e164: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoPhoneAdditional(Record):
    register_type: int | None = None
    protocol: int | None = None
    ip: str | None = None
    port: int | None = None
    local_ip: str | None = None
    rtp_relay: int | None = None
    rtp_interrupt_detection: int | None = None
    call_duration_limit: int | None = None
    call_transfer_billing_method: int | None = None
    use_caller_phone_display: int | None = None
    no_billing_to_phone: int | None = None
    display_caller_short_number: bool | None = None
    use_routing_gateway_not_online: int | None = None
    min_profit_percent_enable: bool | None = None
    min_profit_percent: int | None = None
    max_second_rates_enable: bool | None = None
    max_second_rates: int | None = None
    first_routing_policy: int | None = None
    second_routing_policy: int | None = None
    sip_authentication_method: int | None = None
    sip_remote_alerting_method: int | None = None
    sip_timer_support: bool | None = None
    sip100_rel_support: bool | None = None
    sip_t38_support: bool | None = None
    sip_privacy_support: bool | None = None
    sip_privacy: int | None = None
    sip_p_preferred_identity: int | None = None
    sip_p_asserted_identity: int | None = None
    dtmf_receive_method: int | None = None
    dtmf_sip_send_method: int | None = None
    sip_codec_assign: bool | None = None
    sip_codecs: list[str] | None = None
    ivr_equipment_type: int | None = None
    ivr_service_name: str | None = None
    ivr_callback_billing_mode: int | None = None
    ivr_callback_merge_billing_mode: int | None = None
    ivr_direct_merge_billing_mode: int | None = None
    ivr_second_billing_mode: int | None = None
    ivr_callback_billing_secord_not_connected_on_access_e164: bool | None = None
    ivr_callback_billing_secord_connected_on_second_account: bool | None = None
    ivr_access_verify_active_phone_card: bool | None = None
    ivr_access_verify_binded_e164: bool | None = None
    ivr_access_verify_caller_e164_phone: bool | None = None
    ivr_access_verify_access_e164_phone: bool | None = None
    ivr_enable_phone_setting: bool | None = None
    lrn_enable: bool | None = None
    lrn_eat_prefix_length: int | None = None
    lrn_failure_action: int | None = None
    lrn_interstate_billing_prefix: str | None = None
    lrn_undetermined_billing_prefix: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoPhone(Record):
    e164: str | None = None
    password: str | None = None
    display_number: str | None = None
    lock_type: int | None = None
    call_level: int | None = None
    feerate_group: str | None = None
    monthly_money_minimum: float | None = None
    monthly_money_maximum: float | None = None
    monthly_rent_fee: float | None = None
    rewrite_rules_out_callee: str | None = None
    rewrite_rules_in_callee: str | None = None
    routing_gateway_groups_allow: bool | None = None
    routing_gateway_groups: str | None = None
    account: str | None = None
    equipment: str | None = None
    callee_billing: bool | None = None
    customer_password: str | None = None
    line_call_in: int | None = None
    line_call_out: int | None = None
    line_capacity: int | None = None
    phonebook_limit: int | None = None
    caller_limit_e164_groups_allow: bool | None = None
    caller_limit_e164_groups: str | None = None
    callee_limit_e164_allow: bool | None = None
    callee_limit_e164_groups: str | None = None
    memo: str | None = None
    info_phone_value_added: InfoPhoneValueAdded | None = None
    info_phone_additional: InfoPhoneAdditional | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoPhoneOnline(Record):
    e164: str | None = None
    current_call: int | None = None
    remote_ip: str | None = None
    local_ip: str | None = None
    register_time: int | None = None
    update_time: int | None = None
    protocol: int | None = None
    crypto_type: int | None = None
    product_id: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoGatewayMapping(Record):
    name: str | None = None
    lock_type: int | None = None
    call_level: int | None = None
    capacity: int | None = None
    priority: int | None = None
    gateway_groups: str | None = None
    routing_gateway_groups_allow: bool | None = None
    routing_gateway_groups: str | None = None
    register_type: int | None = None
    remote_ips: str | None = None
    caller_e164_check_enable: bool | None = None
    caller_e164_check_city: bool | None = None
    caller_e164_check_mobile: bool | None = None
    caller_e164_check_other: bool | None = None
    callee_e164_check_enable: bool | None = None
    callee_e164_check_city: bool | None = None
    callee_e164_check_mobile: bool | None = None
    callee_e164_check_other: bool | None = None
    rtp_forward_type: int | None = None
    media_check_direction: int | None = None
    callee_e164_restrict: int | None = None
    max_call_duration_lower: int | None = None
    max_call_duration_upper: int | None = None
    allow_phone_billing: bool | None = None
    allow_binded_e164_billing: bool | None = None
    enable_phone_setting: bool | None = None
    deny_same_city_codes_allow: bool | None = None
    deny_same_city_codes: str | None = None
    check_mobile_area_allow: bool | None = None
    check_mobile_area: str | None = None
    callout_callee_prefixes_allow: bool | None = None
    callout_callee_prefixes: str | None = None
    callout_caller_prefixes_allow: bool | None = None
    callout_caller_prefixes: str | None = None
    rewrite_rules_out_callee: str | None = None
    rewrite_rules_out_caller: str | None = None
    rewrite_rules_in_mobile_area_allow: bool | None = None
    rewrite_rules_in_mobile_area: str | None = None
    timeout_call_proceeding: int | None = None
    sip_response_address_method: int | None = None
    sip_request_address_method: int | None = None
    dtmf_send_method_h323: int | None = None
    dtmf_send_method_sip: int | None = None
    dtmf_receive_method: int | None = None
    dtmf_send_payload_type_h323: int | None = None
    dtmf_send_payload_type_sip: int | None = None
    dtmf_receive_payload_type: int | None = None
    q931_progress_indicator: int | None = None
    account: str | None = None
    call_timeout_q931_cause_value: int | None = None
    call_timeout_sip_code: int | None = None
    sip_remote_ring_signal: int | None = None
    sip_callee_e164_domain: int | None = None
    sip_caller_e164_domain: int | None = None
    h323_callee_e164_domain: int | None = None
    h323_caller_e164_domain: int | None = None
    memo: str | None = None
    sip_authentication_method: int | None = None
    h323_fast_start: bool | None = None
    h323_h245_tunneling: bool | None = None
    h323_h245_in_setup: bool | None = None
    h323_auto_call_proceeding: bool | None = None
    h323_call_proceeding_from_sip_trying: bool | None = None
    h323_alerting_from_sip183_sdp: bool | None = None
    h323_t38: bool | None = None
    sip_timer: bool | None = None
    sip100_rel: bool | None = None
    sip_t38: bool | None = None
    sip_display: bool | None = None
    sip_remote_party_id: bool | None = None
    sip_p_preferred_identity: bool | None = None
    sip_p_asserted_identity: bool | None = None
    group_e164_change: bool | None = None
    caller_allow_length: int | None = None
    callee_allow_length: int | None = None
    caller_limit_e164_groups_allow: bool | None = None
    caller_limit_e164_groups: str | None = None
    callee_limit_e164_groups_allow: bool | None = None
    callee_limit_e164_groups: str | None = None
    min_profit_percent: int | None = None
    first_route_policy: int | None = None
    second_route_policy: int | None = None
    h323_g729_send_mode: int | None = None
    sip_g729_send_mode: int | None = None
    sip_g729_annexb: int | None = None
    sip_g723_annexa: int | None = None
    h323_codec_assign: bool | None = None
    h323_codecs: list[str] | None = None
    sip_codec_assign: bool | None = None
    sip_codecs: list[str] | None = None
    forward_signal_rewrite_e164_group_enable: bool | None = None
    forward_signal_rewrite_e164_group: str | None = None
    softswitch_name: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoGatewayMappingOnline(Record):
    id: int | None = None
    name: str | None = None
    current_call: int | None = None
    capacity: int | None = None
    asr: float | None = None
    acd: int | None = None
    remote_ips: str | None = None
    nat_ip: str | None = None
    local_ip: str | None = None
    register_time: int | None = None
    update_time: int | None = None
    keep_time: int | None = None
    crypto_type: int | None = None
    softswitch_name: str | None = None
    softswitch_ip: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoGatewayRouting(Record):
    name: str | None = None
    prefix: str | None = None
    prefix_style: int | None = None
    password: str | None = None
    customer_password: str | None = None
    gateway_groups: str | None = None
    capacity: int | None = None
    lock_type: int | None = None
    priority: int | None = None
    register_type: int | None = None
    remote_ip: str | None = None
    rtp_forward_type: int | None = None
    encrypt: bool | None = None
    protocol: int | None = None
    signal_port: int | None = None
    local_ip: str | None = None
    media_check_direction: int | None = None
    max_call_duration_lower: int | None = None
    max_call_duration_upper: int | None = None
    callee_e164_restrict: int | None = None
    caller_e164_check_enable: bool | None = None
    caller_e164_check_city: bool | None = None
    caller_e164_check_mobile: bool | None = None
    caller_e164_check_other: bool | None = None
    callee_e164_check_enable: bool | None = None
    callee_e164_check_city: bool | None = None
    callee_e164_check_mobile: bool | None = None
    callee_e164_check_other: bool | None = None
    callin_caller_prefixes_allow: bool | None = None
    callin_caller_prefixes: str | None = None
    callin_callee_prefixes_allow: bool | None = None
    callin_callee_prefixes: str | None = None
    rewrite_rules_in_caller: str | None = None
    rewrite_rules_in_callee: str | None = None
    rewrite_rules_in_mobile_area_allow: bool | None = None
    rewrite_rules_in_mobile_area: str | None = None
    timeout_setup: int | None = None
    timeout_call_proceeding: int | None = None
    timeout_call_proceeding_olc: int | None = None
    timeout_alerting: int | None = None
    timeout_invite: int | None = None
    timeout_trying: int | None = None
    timeout_session_progress_sdp: int | None = None
    timeout_session_progress: int | None = None
    timeout_ringing: int | None = None
    deny_caller_callee_allow: bool | None = None
    deny_caller_callee: str | None = None
    deny_same_city_codes_allow: bool | None = None
    deny_same_city_codes: str | None = None
    check_mobile_area_allow: bool | None = None
    check_mobile_area: str | None = None
    stop_switch_after_olc: int | None = None
    stop_switch_after_sdp: int | None = None
    stop_switch_after_rtp_start: int | None = None
    switch_until_connect: int | None = None
    sip_response_address_method: int | None = None
    sip_request_address_method: int | None = None
    dtmf_send_method_h323: int | None = None
    dtmf_send_method_sip: int | None = None
    dtmf_receive_method: int | None = None
    dtmf_send_payload_type_h323: int | None = None
    dtmf_send_payload_type_sip: int | None = None
    dtmf_receive_payload_type: int | None = None
    q931_numbering_plan: int | None = None
    q931_number_type: int | None = None
    q931_presentation_indicator: int | None = None
    q931_screening_indicator: int | None = None
    clearing_account: str | None = None
    h323_fast_start: bool | None = None
    h323_h245_tunneling: bool | None = None
    h323_h245_in_setup: bool | None = None
    h323_t38: bool | None = None
    sip_timer: bool | None = None
    sip100_rel: bool | None = None
    sip_t38: bool | None = None
    sip_display: bool | None = None
    sip_remote_party_id: bool | None = None
    sip_p_preferred_identity: bool | None = None
    sip_p_asserted_identity: bool | None = None
    group_e164_change: bool | None = None
    caller_allow_length: int | None = None
    callee_allow_length: int | None = None
    caller_limit_e164_groups_allow: bool | None = None
    caller_limit_e164_groups: str | None = None
    callee_limit_e164_groups_allow: bool | None = None
    callee_limit_e164_groups: str | None = None
    h323_g729_send_mode: int | None = None
    sip_g729_send_mode: int | None = None
    sip_g729_annexb: int | None = None
    sip_g723_annexa: int | None = None
    h323_codec_assign: bool | None = None
    h323_codecs: list[str] | None = None
    sip_codec_assign: bool | None = None
    sip_codecs: list[str] | None = None
    feerate_restrict: bool | None = None
    least_cost_routing: bool | None = None
    min_profit_percent: int | None = None
    enable_phone_display: bool | None = None
    clearing_account_use_callout_e164: bool | None = None
    softswitch_name: str | None = None
    forward_signal_rewrite_e164_group_enable: bool | None = None
    forward_signal_rewrite_e164_group: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoGatewayRoutingOnline(Record):
    id: int | None = None
    name: str | None = None
    prefix: str | None = None
    current_call: int | None = None
    capacity: int | None = None
    asr: float | None = None
    acd: int | None = None
    remote_ip: str | None = None
    nat_ip: str | None = None
    local_ip: str | None = None
    register_time: int | None = None
    update_time: int | None = None
    keep_time: int | None = None
    crypto_type: int | None = None
    register_name: str | None = None
    softswitch_name: str | None = None
    softswitch_ip: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoCurrentCall(Record):
    caller_e164: str | None = None
    callee_e164: str | None = None
    caller_gateway_id: str | None = None
    callee_gateway_id: str | None = None
    connected_time: int | None = None
    keep_time: int | None = None
    call_codec: str | None = None
    caller_codec: str | None = None
    callee_codec: str | None = None
    caller_rtp_ip: str | None = None
    callee_rtp_ip: str | None = None
    caller_receive_dtmf: int | None = None
    caller_send_dtmf: int | None = None
    callee_receive_dtmf: int | None = None
    callee_send_dtmf: int | None = None
    caller_info_rtp_flow_audio: InfoRtpFlow | None = None
    callee_info_rtp_flow_audio: InfoRtpFlow | None = None
    caller_info_rtp_flow_video: InfoRtpFlow | None = None
    callee_info_rtp_flow_video: InfoRtpFlow | None = None
    caller_terminal: str | None = None
    callee_terminal: str | None = None
    caller_crypto_type: int | None = None
    callee_crypto_type: int | None = None
    call_id: int | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoRtpFlow(Record):
    rtp_packets: int | None = None
    rtp_bytes: int | None = None
    rtp_duration: int | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoPay(Record):
    account: str | None = None
    money: float | None = None
    valid_time: int | None = None
    pay_money: float | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoGiftTime(Record):
    prefix: str | None = None
    start_time: int | None = None
    end_time: int | None = None
    gift_time: int | None = None
    billing_time: int | None = None
    memo: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoSuite(Record):
    id: int | None = None
    name: str | None = None
    rent_period: int | None = None
    rent_type: int | None = None
    rent_fee: float | None = None
    gift_money: float | None = None
    info_gift_times: list[InfoGiftTime] | None = None
    memo: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoSuiteOrder(Record):
    id: int | None = None
    suite_id: int | None = None
    available_time: int | None = None
    expire_time: int | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoCurrentSuite(Record):
    id: int | None = None
    suite_id: int | None = None
    suite_order_id: int | None = None
    rent_period: int | None = None
    rent_type: int | None = None
    rent_fee: float | None = None
    gift_money: float | None = None
    info_gift_times: list[InfoGiftTime] | None = None
    memo: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoActivePhoneCard(Record):
    pin: str | None = None
    account: str | None = None
    password: str | None = None
    display_e164: str | None = None
    bind_limit: int | None = None
    active_time: int | None = None
    memo: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoBindedE164(Record):
    e164: str | None = None
    pin: str | None = None
    account: str | None = None
    display_e164: str | None = None
    rewrite_rules_out_callee: str | None = None
    bind_time: int | None = None
    language: str | None = None
    memo: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoFeeRateGroup(Record):
    name: str | None = None
    memo: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoFeeRate(Record):
    fee_prefix: str | None = None
    area_code: str | None = None
    type: int | None = None
    area_name: str | None = None
    info_fee_rate_sections: list[InfoFeeRateSection] | None = None
    fee: float | None = None
    period: int | None = None
    lock_type: int | None = None
    ivr_fee: float | None = None
    ivr_period: int | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoFeeRateSection(Record):
    fee: float | None = None
    time: int | None = None
    position: int | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoE164Convert(Record):
    account: str | None = None
    e164: str | None = None
    mapping_gateway_caller_e164: str | None = None
    routing_gateway_callee_e164: str | None = None
    memo: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoPayHistory(Record):
    account: str | None = None
    fee: float | None = None
    type: int | None = None
    pay_type: int | None = None
    customer_money: float | None = None
    pay_time: int | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoCdr(Record):
    caller_e164: str | None = None
    caller_access_e164: str | None = None
    caller_product_id: str | None = None
    caller_to_gateway_e164: str | None = None
    caller_gateway: str | None = None
    callerip: str | None = None
    callee_e164: str | None = None
    callee_access_e164: str | None = None
    callee_product_id: str | None = None
    callee_to_gateway_e164: str | None = None
    callee_gateway: str | None = None
    calleeip: str | None = None
    start: int | None = None
    stop: int | None = None
    hold_time: int | None = None
    fee_time: int | None = None
    fee: float | None = None
    fee_prefix: str | None = None
    suite_fee: float | None = None
    suite_fee_time: int | None = None
    agent_fee: float | None = None
    agent_fee_time: int | None = None
    agent_fee_prefix: str | None = None
    agent_suite_fee: float | None = None
    agent_suite_fee_time: int | None = None
    call_level: int | None = None
    account: str | None = None
    account_name: str | None = None
    agent_account: str | None = None
    agent_name: str | None = None
    end_direction: int | None = None
    end_reason: int | None = None
    callee_billing: int | None = None
    billing_mode: int | None = None
    flow_no: int | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoReportCustomerFee(Record):
    begin_time: int | None = None
    end_time: int | None = None
    account: str | None = None
    account_name: str | None = None
    cdr_count: int | None = None
    total_fee: float | None = None
    total_time: int | None = None
    total_suite_fee: float | None = None
    total_suite_fee_time: int | None = None
    net_fee: float | None = None
    net_time: int | None = None
    net_count: int | None = None
    local_fee: float | None = None
    local_time: int | None = None
    local_count: int | None = None
    domestic_fee: float | None = None
    domestic_time: int | None = None
    domestic_count: int | None = None
    international_fee: float | None = None
    international_time: int | None = None
    international_count: int | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoReportPhoneFee(Record):
    begin_time: int | None = None
    end_time: int | None = None
    e164: str | None = None
    callee_billing: int | None = None
    account: str | None = None
    account_name: str | None = None
    agent_account: str | None = None
    cdr_count: int | None = None
    total_fee: float | None = None
    total_time: int | None = None
    total_suite_fee: float | None = None
    total_suite_fee_time: int | None = None
    net_fee: float | None = None
    net_time: int | None = None
    net_count: int | None = None
    local_fee: float | None = None
    local_time: int | None = None
    local_count: int | None = None
    domestic_fee: float | None = None
    domestic_time: int | None = None
    domestic_count: int | None = None
    international_fee: float | None = None
    international_time: int | None = None
    international_count: int | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoReportCustomerLocationFee(Record):
    begin_time: int | None = None
    end_time: int | None = None
    area_code: str | None = None
    area_name: str | None = None
    account: str | None = None
    account_name: str | None = None
    agent_account: str | None = None
    cdr_count: int | None = None
    total_fee: float | None = None
    total_time: int | None = None
    total_suite_fee: float | None = None
    total_suite_fee_time: int | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoCustomerPhoneBook(Record):
    e164: str | None = None
    short_e164s: list[str] | None = None
    name: str | None = None
    department: str | None = None
    device_type: int | None = None
    address_type: int | None = None
    type: int | None = None
    last_update_time: int | None = None
    memo: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoSoftSwitch(Record):
    name: str | None = None
    identification: str | None = None
    create_time: int | None = None
    access_time: int | None = None
    access_address: str | None = None
    memo: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoPerformance(Record):
    call_size: int | None = None
    cdr_queue_size: int | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoAvailableTime(Record):
    account: str | None = None
    account_name: str | None = None
    account_money: float | None = None
    time_remain: int | None = None
    time_remain_routing_gateway: int | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoIvrSecondAvailableTime(Record):
    account: str | None = None
    account_name: str | None = None
    account_money: float | None = None
    time_remain: int | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoConsumption(Record):
    account: str | None = None
    money: float | None = None
    customer_money: float | None = None
    type: int | None = None
    consumption_name: int | None = None
    time: int | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoLimitE164(Record):
    e164: str | None = None
    memo: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoIvrAudio(Record):
    id: int | None = None
    type: int | None = None
    name: str | None = None
    language: str | None = None
    ivr_service_name: str | None = None
    size: int | None = None
    memo: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoPhoneCard(Record):
    money: float | None = None
    limit_money: float | None = None
    bits_of_config: int | None = None
    fee_rate_group: str | None = None
    expire_time: int | None = None
    used_time: int | None = None
    used_account: str | None = None
    agent_account: str | None = None
    suite_names: list[str] | None = None
    memo: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoAlarmCurrent(Record):
    id: int | None = None
    type: int | None = None
    level: int | None = None
    name: str | None = None
    start_time: int | None = None
    stop_time: int | None = None
    value: float | None = None
    upper: float | None = None
    lower: float | None = None
    confirm_user: str | None = None
    confirm_time: int | None = None
    memo: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoDtmf(Record):
    menu_name: str | None = None
    dtmf: str | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class InfoCustomerBrief(Record):
    account: str | None = None
    money: float | None = None
    limit_money: float | None = None
    extra: dict[str, Any] = ...

@dataclass(kw_only=True)
class CreateCustomerResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class ModifyCustomerResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class DeleteCustomerResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetCustomerResponse(Record):
    info_customers: list[InfoCustomer] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class CreatePhoneResponse(Record):
    password: str | None = None
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class ModifyPhoneResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class DeletePhoneResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetPhoneResponse(Record):
    info_phones: list[InfoPhone] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetPhoneOnlineResponse(Record):
    info_phone_onlines: list[InfoPhoneOnline] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class CreateGatewayMappingResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class ModifyGatewayMappingResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetGatewayMappingResponse(Record):
    info_gateway_mappings: list[InfoGatewayMapping] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class DeleteGatewayMappingResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetGatewayMappingOnlineResponse(Record):
    info_gateway_mapping_onlines: list[InfoGatewayMappingOnline] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class CreateGatewayRoutingResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class ModifyGatewayRoutingResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class DeleteGatewayRoutingResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetGatewayRoutingResponse(Record):
    info_gateway_routings: list[InfoGatewayRouting] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetGatewayRoutingOnlineResponse(Record):
    info_gateway_routing_onlines: list[InfoGatewayRoutingOnline] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetCurrentCallResponse(Record):
    info_current_calls: list[InfoCurrentCall] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class PayResponse(Record):
    info_pay: InfoPay | None = None
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class CreateSuiteResponse(Record):
    id: int | None = None
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class DeleteSuiteResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetSuiteResponse(Record):
    info_suites: list[InfoSuite] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class CreateSuiteOrderResponse(Record):
    id: int | None = None
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class ModifySuiteOrderResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class DeleteSuiteOrderResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetSuiteOrderResponse(Record):
    info_suite_orders: list[InfoSuiteOrder] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetCurrentSuiteResponse(Record):
    info_current_suites: list[InfoCurrentSuite] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class DeleteCurrentSuiteResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class CreateActivePhoneCardResponse(Record):
    password: int | None = None
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class ModifyActivePhoneCardResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class DeleteActivePhoneCardResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetActivePhoneCardResponse(Record):
    info_active_phone_cards: list[InfoActivePhoneCard] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class CreateBindedE164Response(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class ModifyBindedE164Response(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class DeleteBindedE164Response(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetBindedE164Response(Record):
    info_binded_e164s: list[InfoBindedE164] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetFeeRateGroupResponse(Record):
    info_fee_rate_groups: list[InfoFeeRateGroup] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class CreateFeeRateGroupResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class ModifyFeeRateGroupResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class DeleteFeeRateGroupResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetFeeRateResponse(Record):
    info_fee_rates: list[InfoFeeRate] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetE164ConvertResponse(Record):
    info_e164_converts: list[InfoE164Convert] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetPayHistoryResponse(Record):
    info_pay_historys: list[InfoPayHistory] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetCdrResponse(Record):
    info_cdrs: list[InfoCdr] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetReportCustomerFeeResponse(Record):
    info_report_customer_fees: list[InfoReportCustomerFee] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetReportPhoneFeeResponse(Record):
    info_report_phone_fees: list[InfoReportPhoneFee] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetReportCustomerLocationFeeResponse(Record):
    info_report_customer_location_fees: list[InfoReportCustomerLocationFee] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class CreateCdrResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetCustomerPhoneBookResponse(Record):
    info_customer_phone_books: list[InfoCustomerPhoneBook] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class CreateCustomerPhoneBookResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class ModifyCustomerPhoneBookResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class DeleteCustomerPhoneBookResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetSoftSwitchResponse(Record):
    info_soft_switches: list[InfoSoftSwitch] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetPerformanceResponse(Record):
    info_performance: InfoPerformance | None = None
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class PayByPhoneCardResponse(Record):
    info_pay: InfoPay | None = None
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class PhoneCardActiveResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class CallBackResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class PlayAudioResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetAvailableTimeResponse(Record):
    info_available_time: InfoAvailableTime | None = None
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetIvrSecondAvailableTimeResponse(Record):
    info_ivr_second_available_time: InfoIvrSecondAvailableTime | None = None
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetConsumptionResponse(Record):
    info_consumptions: list[InfoConsumption] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetAllCustomersResponse(Record):
    accounts: list[str] = ...
    info_customer_briefs: list[InfoCustomerBrief] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class ReserveCalleeE164Response(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class CreateLimitedE164Response(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class CreateIvrAudioResponse(Record):
    id: int | None = None
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class ModifyIvrAudioResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class DeleteIvrAudioResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetIvrAudioResponse(Record):
    info_ivr_audios: list[InfoIvrAudio] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class ModifyIvrAudioDataResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class CreateE164ConvertResponse(Record):
    id: int | None = None
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class ModifyE164ConvertResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class DeleteE164ConvertResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class DisconnectCurrentCallResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetAllPhoneOnlineResponse(Record):
    e164s: list[str] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class DeleteLimitE164Response(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetPhoneCardResponse(Record):
    info_phone_cards: list[InfoPhoneCard] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class CreateAlarmResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class CreateMediaBlockIpResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class DeleteMediaBlockIpResponse(Record):
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetAlarmCurrentResponse(Record):
    info_alarm_currents: InfoAlarmCurrent | None = None
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...

@dataclass(kw_only=True)
class GetLimitE164Response(Record):
    info_limit_e164s: list[InfoLimitE164] = ...
    extra: dict[str, Any] = ...
    raw: dict[str, Any] = ...
