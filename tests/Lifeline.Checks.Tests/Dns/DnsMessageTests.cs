using Lifeline.Checks.Dns;

namespace Lifeline.Checks.Tests.Dns;

public class DnsMessageTests
{
    [Fact]
    public void A_query_is_laid_out_as_rfc_1035_says()
    {
        var query = DnsMessage.BuildQuery(0xBEEF, "ab.c", DnsRecordType.AAAA);

        query.ShouldBe(new byte[] { 0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 2, (byte)'a', (byte)'b', 1, (byte)'c', 0, 0, 28, 0, 1 });
    }

    [Fact]
    public void A_compression_loop_is_rejected_not_followed_forever()
    {
        byte[] response = [0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1];

        Should.Throw<FormatException>(() => DnsMessage.ParseResponse(response)).Message.ShouldContain("loops");
    }

    [Theory]
    [InlineData(new byte[] { 0, 1, 0x81 })]
    [InlineData(new byte[] { 0, 1, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0, 3, (byte)'a' })]
    [InlineData(new byte[] { 0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127 })]
    public void A_malformed_answer_is_a_format_error(byte[] response) =>
        Should.Throw<FormatException>(() => DnsMessage.ParseResponse(response));

    [Fact]
    public void Txt_and_mx_records_are_decoded()
    {
        byte[] response =
        [
            0, 1, 0x81, 0x80, 0, 0, 0, 2, 0, 0, 0, 0,
            1, (byte)'x', 0, 0, 16, 0, 1, 0, 0, 0, 5, 0, 6, 2, (byte)'h', (byte)'i', 2, (byte)'!', (byte)'!',
            0xC0, 12, 0, 15, 0, 1, 0, 0, 0, 5, 0, 4, 0, 10, 0xC0, 12,
        ];

        var parsed = DnsMessage.ParseResponse(response);

        parsed.Answers.Select(a => a.ToString()).ShouldBe(["x. TXT hi!!", "x. MX 10 x."]);
    }
}
